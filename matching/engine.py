"""The cash-application engine: bank lines, customers and invoices in, one proposal per line out.

Lines are decided in two passes, each in (date, account, id) order: first the
lines that name invoices (structured remittance first, then free text), then the rest, so a payment by amount alone never
takes an invoice that another line names. Invoices applied earlier in the batch
count as paid for later lines. The engine is pure: same inputs, same output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from arbridge.domain.money import format_money
from arbridge.domain.records import (
    Allocation,
    BankLine,
    Customer,
    Invoice,
    Proposal,
    ProposalOutcome,
)
from arbridge.domain.review import ReviewReason
from arbridge.matching import remittance
from arbridge.matching.book import BookIndex
from arbridge.matching.by_amount import by_amount
from arbridge.matching.by_reference import by_reference
from arbridge.matching.by_remittance import by_remittance
from arbridge.matching.context import Books
from arbridge.matching.ledger import Ledger
from arbridge.matching.noncustomer import non_ar_reason
from arbridge.matching.payers import PayerIndex
from arbridge.matching.plans import Plan, review, suggest
from arbridge.matching.policy import hold
from arbridge.matching.references import ReferenceIndex, RefHit
from arbridge.matching.remittance import Remittance
from arbridge.matching.settings import MatchSettings, PayerHints


@dataclass(frozen=True, slots=True, kw_only=True)
class MatchContext:
    """What the caller knows: customers, every invoice with its open amount, what was learned."""

    customers: Mapping[str, Customer]
    invoices: Sequence[Invoice]
    hints: PayerHints = field(default_factory=PayerHints)
    index: BookIndex | None = None
    """The indexes of these same customers and invoices when the caller keeps them (else built here)."""


def match_lines(
    lines: Sequence[BankLine], context: MatchContext, settings: MatchSettings | None = None
) -> list[Proposal]:
    """Decide what to do with each bank line.

    Args:
        lines: bank lines not decided yet.
        context: customers and invoices as the ERP reports them, and learned payer links.
        settings: tolerances and auto-posting policy; defaults when omitted.

    Returns:
        One proposal per line, in the order decided. Same inputs, same output.
    """
    settings = settings or MatchSettings()
    index = context.index or BookIndex(context.customers, context.invoices)
    books = Books(
        ledger=Ledger(context.customers, index=index.ledger),
        refs=index.refs,
        payers=PayerIndex(context.customers, context.hints, index.names),
        settings=settings,
        hints=context.hints,
    )
    ordered = sorted(lines, key=lambda ln: (ln.booked_on, ln.account, ln.bank_id))
    found = [_found(line, books.refs) for line in ordered]
    first = [item for item in found if item[1] or item[2].listed]
    later = [item for item in found if not (item[1] or item[2].listed)]
    return [decide(line, hits, books, remit) for line, hits, remit in (*first, *later)]


def _found(line: BankLine, refs: ReferenceIndex) -> tuple[BankLine, list[RefHit], Remittance]:
    """The line's structured remittance and the invoice numbers it and the text name."""
    remit = remittance.read(line)
    hits = refs.find(remit.text, remit.references)
    if not hits and remit.checked:
        hits = refs.find("", remit.checked)
    return line, hits, remit


def decide(
    line: BankLine, hits: Sequence[RefHit], books: Books, remit: Remittance | None = None
) -> Proposal:
    """One line's proposal; an applied plan is booked against the ledger at once."""
    if not line.is_credit:
        return Proposal(
            line=line, outcome=ProposalOutcome.IGNORE, explanation="debit: not incoming cash"
        )
    result = _plan(line, hits, books, remit)
    if isinstance(result, Proposal):
        return result
    held = hold(result, line, books.settings, books.hints)
    if held is not None:
        reason, why = held
        text = f"{result.explanation}; held for review: {why}"
        return review(line, reason, text, [result.as_suggestion()], result.customer_id)
    return _apply(line, result, books.ledger)


def _plan(
    line: BankLine, hits: Sequence[RefHit], books: Books, remit: Remittance | None
) -> Plan | Proposal:
    payer = books.payers.identify(line, books.settings)
    if remit is not None and remit.listed:
        listed = by_remittance(line, remit.listed, payer, books)
        if listed is not None:
            return listed
    if hits:
        result = by_reference(line, hits, payer, books)
        if result is not None:
            return result
    marker = non_ar_reason(line.description)
    if marker is not None and payer is None:
        why = f"not customer cash: '{marker}' in the text and no customer or invoice recognised"
        return review(line, ReviewReason.NON_AR_CREDIT, why)
    if payer is None:
        return _unidentified(line, books)
    return by_amount(line, payer, books)


def _unidentified(line: BankLine, books: Books) -> Proposal:
    same = books.ledger.open_at(line.amount)[: books.settings.max_suggestions]
    text = "payer not recognised and no invoice number found in the text"
    if same:
        text += f"; {len(same)} open invoice(s) of {format_money(line.amount)} shown as suggestions"
    return review(
        line, ReviewReason.UNIDENTIFIED_PAYER, text, suggest(same, "open amount equals the payment")
    )


def _apply(line: BankLine, plan: Plan, ledger: Ledger) -> Proposal:
    allocations = []
    for part in plan.fit.parts:
        allocations.append(
            Allocation(
                invoice_id=part.invoice.invoice_id,
                customer_id=part.invoice.customer_id,
                amount=part.cash,
                adjustment=part.adjustment,
                adjustment_reason=part.reason,
            )
        )
        ledger.take(part.invoice.invoice_id, part.cash + part.adjustment)
    if plan.fit.credit:
        allocations.append(
            Allocation(
                invoice_id=None,
                customer_id=plan.customer_id,
                amount=plan.fit.credit,
                adjustment_reason=None,
            )
        )
    return Proposal(
        line=line,
        outcome=ProposalOutcome.APPLY,
        explanation=plan.explanation,
        confidence=round(plan.confidence, 4),
        customer_id=plan.customer_id,
        allocations=tuple(allocations),
    )
