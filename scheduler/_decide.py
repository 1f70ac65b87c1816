"""Match step: pending lines against the ERP snapshot, decisions stored in one transaction."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal

import structlog
from sqlmodel import Session

from domain.records import Application, Customer, Invoice, Proposal, ProposalOutcome
from matching import MatchContext, MatchSettings, match_lines
from review import item_for_bank_line, open_item
from scheduler._summary import RunSummary
from store import Store, bank, postings

log = structlog.get_logger("arbridge.cycle")


def decide(
    store: Store,
    erp_name: str,
    snapshot: tuple[Sequence[Customer], Sequence[Invoice]],
    settings: MatchSettings,
    *,
    summary: RunSummary,
    clock: Callable[[], datetime],
) -> None:
    """Match every pending line and store the outcome: applications to the outbox, review items, set-asides."""
    customers, invoices = snapshot
    with store.transaction() as session:
        pending = bank.pending_lines(session)
        lines = bank.load_lines(session, list(pending.values()))
        unsent = postings.unsent_by_invoice(session, erp_name)
    if not lines:
        return
    ids = {(line.account, line.bank_id): line_id for line_id, line in lines}
    context = MatchContext(
        customers={c.customer_id: c for c in customers}, invoices=_net_of(invoices, unsent)
    )
    proposals = match_lines([line for _, line in lines], context, settings)
    now = clock()
    with store.transaction() as session:
        for proposal in proposals:
            line_id = ids[(proposal.line.account, proposal.line.bank_id)]
            _store_one(session, erp_name, line_id, proposal, summary=summary, now=now)


def _net_of(invoices: Sequence[Invoice], unsent: dict[str, Decimal]) -> list[Invoice]:
    """Invoices with what is already queued for them (not yet in the ERP) taken off."""
    out = []
    for inv in invoices:
        taken = unsent.get(inv.invoice_id)
        out.append(
            inv if taken is None else dataclasses.replace(inv, open_amount=inv.open_amount - taken)
        )
    return out


def _store_one(
    session: Session,
    erp_name: str,
    line_id: int,
    proposal: Proposal,
    *,
    summary: RunSummary,
    now: datetime,
) -> None:
    line = proposal.line
    if proposal.outcome is ProposalOutcome.APPLY:
        assert proposal.customer_id is not None
        application = Application(
            idempotency_key=f"{erp_name}:{line.account}:{line.bank_id}",
            bank_account=line.account,
            bank_id=line.bank_id,
            customer_id=proposal.customer_id,
            booked_on=line.booked_on,
            amount=line.amount,
            allocations=proposal.allocations,
            evidence=proposal.explanation,
        )
        postings.add_application(
            session, bank_line_id=line_id, erp=erp_name, application=application, confidence=proposal.confidence,
            explanation=proposal.explanation, origin="auto", run_id=summary.run_id, now=now,
        )  # fmt: skip
        bank.set_status(session, line_id, "applied", proposal.explanation)
        summary.add("applied")
    elif proposal.outcome is ProposalOutcome.REVIEW:
        assert proposal.reason is not None
        item_id = open_item(
            session, item_for_bank_line(proposal, line_id, proposal.reason), now=now
        )
        bank.set_status(session, line_id, "review", proposal.explanation)
        if item_id is not None:
            summary.add("queued")
            log.info(
                "review_item_opened",
                item_id=item_id,
                reason=proposal.reason.value,
                bank_id=line.bank_id,
            )
    else:
        bank.set_status(session, line_id, "ignored", proposal.explanation)
        summary.add("ignored")
