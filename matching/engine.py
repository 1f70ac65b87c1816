"""The simplest honest engine: apply exact references at exact amounts, question the rest.

A credit line is applied only when the invoice numbers it names are open and their
open amounts add up to the payment exactly. Everything else gets a review reason
and, where the data allows, suggestions a person can accept with one click.
Invoices applied earlier in the same batch count as paid for later lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from domain.money import format_money
from domain.records import (
    ZERO,
    Allocation,
    BankLine,
    Customer,
    Invoice,
    Proposal,
    ProposalOutcome,
    Suggestion,
)
from domain.review import ReviewReason
from matching.references import extract_tokens, normalise_document_id

EXACT_CONFIDENCE = 0.99


@dataclass(frozen=True, slots=True, kw_only=True)
class MatchSettings:
    """Tolerances and limits of the engine."""

    max_suggestions: int = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class MatchContext:
    """What the caller knows: customers and every invoice with its current open amount."""

    customers: Mapping[str, Customer]
    invoices: Sequence[Invoice]


@dataclass(slots=True)
class _Ledger:
    """Open amounts as they stand while a batch is being matched."""

    by_id: dict[str, Invoice]
    remaining: dict[str, Decimal]
    by_amount: dict[Decimal, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, invoices: Sequence[Invoice]) -> _Ledger:
        ledger = cls(by_id={}, remaining={})
        for inv in invoices:
            key = normalise_document_id(inv.invoice_id)
            ledger.by_id[key] = inv
            ledger.remaining[key] = inv.open_amount
            if inv.is_open:
                ledger.by_amount.setdefault(inv.open_amount, []).append(key)
        return ledger

    def named_in(self, line: BankLine) -> list[str]:
        tokens = extract_tokens(line.description) | {
            normalise_document_id(r) for r in line.references
        }
        return sorted(t for t in tokens if t in self.by_id)

    def consume(self, key: str, amount: Decimal) -> None:
        self.remaining[key] -= amount


def match_lines(
    lines: Sequence[BankLine], context: MatchContext, settings: MatchSettings | None = None
) -> list[Proposal]:
    """Decide what to do with each bank line.

    Args:
        lines: bank lines not decided yet; matched in (date, account, id) order.
        context: customers and invoices as the ERP reports them.
        settings: engine limits; defaults when omitted.

    Returns:
        One proposal per line, in the order matched. Same inputs, same output.
    """
    settings = settings or MatchSettings()
    ledger = _Ledger.of(context.invoices)
    ordered = sorted(lines, key=lambda ln: (ln.booked_on, ln.account, ln.bank_id))
    return [_decide(line, ledger, settings) for line in ordered]


def _decide(line: BankLine, ledger: _Ledger, settings: MatchSettings) -> Proposal:
    if not line.is_credit:
        return Proposal(
            line=line, outcome=ProposalOutcome.IGNORE, explanation="debit: not incoming cash"
        )
    named = ledger.named_in(line)
    if named:
        return _by_reference(line, named, ledger)
    return _without_reference(line, ledger, settings)


def _by_reference(line: BankLine, named: list[str], ledger: _Ledger) -> Proposal:
    invoices = [ledger.by_id[key] for key in named]
    listed = ", ".join(inv.invoice_id for inv in invoices)
    open_keys = [key for key in named if ledger.remaining[key] > 0]
    suggestion = Suggestion(
        invoice_ids=tuple(inv.invoice_id for inv in invoices),
        customer_id=invoices[0].customer_id,
        explanation=f"named in the text: {listed}",
        confidence=0.5,
    )
    if not open_keys:
        return _review(
            line, ReviewReason.DUPLICATE_PAYMENT, f"{listed} already paid in full", (suggestion,)
        )
    owed = sum((ledger.remaining[key] for key in open_keys), ZERO)
    customers = {ledger.by_id[key].customer_id for key in open_keys}
    if owed == line.amount and len(customers) == 1 and len(open_keys) == len(named):
        return _apply(line, open_keys, ledger)
    reason = ReviewReason.SHORT_PAYMENT if line.amount < owed else ReviewReason.OVERPAYMENT
    text = (
        f"{listed} named in the text; open {format_money(owed)}, paid {format_money(line.amount)}"
    )
    if len(open_keys) != len(named):
        text += "; some named invoices are already paid"
    return _review(line, reason, text, (suggestion,))


def _apply(line: BankLine, keys: list[str], ledger: _Ledger) -> Proposal:
    allocations = []
    for key in keys:
        inv = ledger.by_id[key]
        allocations.append(
            Allocation(
                invoice_id=inv.invoice_id, customer_id=inv.customer_id, amount=ledger.remaining[key]
            )
        )
        ledger.consume(key, ledger.remaining[key])
    listed = ", ".join(a.invoice_id or "" for a in allocations)
    noun = "invoice" if len(allocations) == 1 else "invoices"
    return Proposal(
        line=line,
        outcome=ProposalOutcome.APPLY,
        explanation=f"{noun} {listed} named in the text; amount equals the open amount",
        confidence=EXACT_CONFIDENCE,
        customer_id=allocations[0].customer_id,
        allocations=tuple(allocations),
    )


def _without_reference(line: BankLine, ledger: _Ledger, settings: MatchSettings) -> Proposal:
    same_amount = [
        k for k in ledger.by_amount.get(line.amount, []) if ledger.remaining[k] == line.amount
    ]
    suggestions = tuple(
        Suggestion(
            invoice_ids=(ledger.by_id[k].invoice_id,),
            customer_id=ledger.by_id[k].customer_id,
            explanation=f"open amount equals the payment ({format_money(line.amount)})",
            confidence=0.3,
        )
        for k in sorted(same_amount)[: settings.max_suggestions]
    )
    text = "no invoice number found in the text"
    if suggestions:
        text += f"; {len(same_amount)} open invoice(s) of the same amount"
    return _review(line, ReviewReason.NO_MATCH, text, suggestions)


def _review(
    line: BankLine, reason: ReviewReason, text: str, suggestions: tuple[Suggestion, ...]
) -> Proposal:
    customer = (
        suggestions[0].customer_id if len({s.customer_id for s in suggestions}) == 1 else None
    )
    return Proposal(
        line=line,
        outcome=ProposalOutcome.REVIEW,
        explanation=text,
        reason=reason,
        customer_id=customer,
        suggestions=suggestions,
    )
