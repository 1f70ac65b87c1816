"""Match step: pending lines against the ERP snapshot, decisions stored in one transaction."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import structlog
from sqlmodel import Session

from arbridge.deposits.recognise import DepositRules, recognise
from arbridge.domain.records import Application, Invoice, Proposal, ProposalOutcome
from arbridge.domain.review import ReviewReason
from arbridge.matching import MatchContext, MatchSettings, PayerHints, match_lines
from arbridge.review import NewReviewItem, item_for_bank_line, open_many
from arbridge.scheduler._pull import Snapshot
from arbridge.scheduler._recorded import settle_recorded
from arbridge.scheduler._summary import RunSummary
from arbridge.store import Store, bank, ledger, payer_links, postings
from arbridge.store.postings import NewApplication

log = structlog.get_logger("arbridge.cycle")


def decide(
    store: Store,
    erp_name: str,
    snapshot: Snapshot,
    settings: MatchSettings,
    *,
    summary: RunSummary,
    clock: Callable[[], datetime],
    recorded: bool = False,
    deposits: DepositRules | None = None,
    by_hand: bool = False,
) -> None:
    """Match every pending line and store the outcome: applications to the outbox, review items, set-asides.

    With `recorded` (the ERP's recorded payments were pulled), lines the ERP already
    records are set aside first and never matched (see `_recorded`). With `deposits`,
    deposits are recognised after matching (`arbridge.deposits.recognise`): applied to
    their deposit document, or held for their order's final invoice. `by_hand`: the ERP
    cannot reverse a recorded payment, so its findings say to fix them in the ERP.

    Reading, matching and writing happen in one transaction that is exclusive among
    daemons sharing a store, so two of them never decide the same line, nor spend the
    same invoice's open amount twice.
    """
    with store.transaction() as session:
        with summary.timed("decide_lock"):
            store.serialize(session, "decide")
        with summary.timed("decide_load"):
            lines = bank.load_pending(session)
            if not lines and not recorded:
                return
            ids = {(line.account, line.bank_id): line_id for line_id, line in lines}
            context = load_context(session, erp_name, snapshot)
        if recorded:
            with summary.timed("recorded"):
                taken = settle_recorded(
                    session,
                    erp_name,
                    lines,
                    context,
                    settings,
                    summary=summary,
                    now=clock(),
                    by_hand=by_hand,
                )
            lines = [(i, line) for i, line in lines if i not in taken]
            if not lines:
                return
        with summary.timed("match"):
            proposals = match_lines([line for _, line in lines], context, settings)
            held: dict[tuple[str, str], str] = {}
            if deposits is not None:
                proposals, held = recognise(proposals, context.invoices, deposits)
        with summary.timed("decide_write"):
            batch = _Batch(erp_name=erp_name, held=held)
            for proposal in proposals:
                batch.add(ids[(proposal.line.account, proposal.line.bank_id)], proposal)
            now = clock()
            batch.store(session, summary=summary, now=now, sent_after=snapshot.taken_at)
            _learn_accounts(session, erp_name, proposals, now)


def load_context(session: Session, erp_name: str, snapshot: Snapshot) -> MatchContext:
    """What the engine matches against: the snapshot, net of what is queued, and learned links."""
    unsent = postings.unsent_by_invoice(session, erp_name, sent_after=snapshot.taken_at)
    links = payer_links.load_links(session, erp_name)
    hints = PayerHints(
        accounts=links.accounts, aliases=links.aliases, known_payers=links.known_payers
    )
    book = snapshot.book
    if book is not None:  # the indexes kept with the records, netted in place
        index = book.net_of(unsent)
        return MatchContext(
            customers=index.customers, invoices=index.invoices, hints=hints, index=index
        )
    return MatchContext(
        customers={c.customer_id: c for c in snapshot.customers},
        invoices=net_of(snapshot.invoices, unsent),
        hints=hints,
    )


LEARN_CONFIDENCE = 0.95
"""Only applications at least this sure teach which customer a bank account belongs to."""


def _learn_accounts(
    session: Session, erp_name: str, proposals: Sequence[Proposal], now: datetime
) -> None:
    """Link payer bank accounts to the customers they certainly paid for."""
    for p in proposals:
        account = p.line.payer_account
        if (
            p.outcome is ProposalOutcome.APPLY
            and account
            and p.customer_id
            and p.confidence >= LEARN_CONFIDENCE
        ):
            payer_links.learn(
                session,
                erp_name,
                kind=payer_links.ACCOUNT,
                key=account,
                customer_id=p.customer_id,
                origin="auto",
                now=now,
            )


def net_of(invoices: Sequence[Invoice], unsent: dict[str, Decimal]) -> list[Invoice]:
    """Invoices with what is already queued for them (not yet in the ERP) taken off."""
    out = []
    for inv in invoices:
        taken = unsent.get(inv.invoice_id)
        out.append(
            inv if taken is None else dataclasses.replace(inv, open_amount=inv.open_amount - taken)
        )
    return out


_HELD = ReviewReason.POLICY_HOLD


@dataclass(slots=True)
class _Batch:
    """The decisions of one cycle, written with a handful of bulk statements."""

    erp_name: str
    held: dict[tuple[str, str], str] = field(default_factory=dict)
    """Deposits held for their order's final invoice: (account, bank id) -> order ref."""
    applications: list[NewApplication] = field(default_factory=list)
    reviews: list[tuple[str, NewReviewItem]] = field(default_factory=list)
    statuses: list[tuple[int, str, str]] = field(default_factory=list)
    proposals: list[tuple[int, Proposal]] = field(default_factory=list)
    """The applications' proposals, in the order of `applications`."""

    def _hold(self, refused: dict[int, str]) -> None:
        """Applications the money ledger refused go to review instead, saying why."""
        held = {self.proposals[n][0] for n in refused}
        self.statuses = [s for s in self.statuses if s[0] not in held]
        for n, why in sorted(refused.items()):
            line_id, proposal = self.proposals[n]
            review = dataclasses.replace(
                proposal,
                outcome=ProposalOutcome.REVIEW,
                reason=_HELD,
                explanation=f"not applied: {why} (engine proposed: {proposal.explanation})",
            )
            item = item_for_bank_line(review, line_id, _HELD)
            self.reviews.append((proposal.line.bank_id, item))
            self.statuses.append((line_id, "review", review.explanation))
            log.warning("application_refused", bank_id=proposal.line.bank_id, why=why)

    def add(self, line_id: int, proposal: Proposal) -> None:
        line = proposal.line
        if proposal.outcome is ProposalOutcome.APPLY:
            assert proposal.customer_id is not None
            application = Application(
                idempotency_key=f"{self.erp_name}:{line.account}:{line.bank_id}",
                bank_account=line.account,
                bank_id=line.bank_id,
                customer_id=proposal.customer_id,
                booked_on=line.booked_on,
                amount=line.amount,
                allocations=proposal.allocations,
                evidence=proposal.explanation,
            )
            self.proposals.append((line_id, proposal))
            self.applications.append(
                NewApplication(
                    bank_line_id=line_id,
                    application=application,
                    confidence=proposal.confidence,
                    explanation=proposal.explanation,
                )
            )
            self.statuses.append((line_id, "applied", proposal.explanation))
        elif proposal.outcome is ProposalOutcome.REVIEW:
            assert proposal.reason is not None
            item = item_for_bank_line(proposal, line_id, proposal.reason)
            order = self.held.get((line.account, line.bank_id))
            if order is not None:  # the deposit step finds its order again
                first = {**item.suggestions[0], "order_ref": order}
                item = dataclasses.replace(item, suggestions=(first, *item.suggestions[1:]))
            self.reviews.append((line.bank_id, item))
            self.statuses.append((line_id, "review", proposal.explanation))
        else:
            self.statuses.append((line_id, "ignored", proposal.explanation))

    def store(
        self,
        session: Session,
        *,
        summary: RunSummary,
        now: datetime,
        sent_after: datetime | None,
    ) -> None:
        refused = ledger.admit_what_passes(
            session,
            self.erp_name,
            self.applications,
            run_id=summary.run_id,
            now=now,
            sent_after=sent_after,
        )
        self._hold(refused)
        opened = open_many(session, [item for _, item in self.reviews], now=now)
        bank.set_statuses(session, self.statuses)
        summary.add("applied", len(self.applications) - len(refused))
        summary.add("ignored", sum(1 for _, status, _ in self.statuses if status == "ignored"))
        for (bank_id, item), item_id in zip(self.reviews, opened, strict=True):
            if item_id is not None:
                summary.add("queued")
                log.info("review_item_opened", item_id=item_id, reason=item.reason, bank_id=bank_id)
