"""Cash left on account in the ERP that plainly pays open invoices: what a clerk would apply it to.

A payment a person recorded may leave money on the customer's account (no invoice). When
that customer has open invoices the money plainly pays, applying it is a daily chore:

- its reference or memo names open invoices of the customer (or of a subsidiary it pays
  for): each takes what is open on it, up to the money on account (confidence 0.9);
- else exactly one open invoice of the customer is open for exactly the money on
  account (confidence 0.7). Two such invoices are not told apart: nothing is suggested.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from arbridge.domain.money import format_money
from arbridge.domain.posted import PostedPayment
from arbridge.domain.records import ZERO
from arbridge.matching.context import Books
from arbridge.matching.plans import listed
from arbridge.matching.references import RefHow

NAMED_CONFIDENCE = 0.9
SAME_AMOUNT_CONFIDENCE = 0.7
_NAMED = frozenset({RefHow.EXACT, RefHow.NORMALISED, RefHow.PO})


@dataclass(frozen=True, slots=True, kw_only=True)
class UnappliedCash:
    """Money a recorded payment left on account, and the open invoices it plainly pays."""

    payment: PostedPayment
    on_account: Decimal
    allocations: tuple[tuple[str, Decimal], ...]
    """(invoice id, amount) to apply from the money on account."""
    confidence: float
    explanation: str


def on_account(payment: PostedPayment) -> Decimal:
    """What the payment left on the customer's account."""
    return sum((a.amount for a in payment.allocations if a.invoice_id is None), ZERO)


def suggest(payments: Sequence[PostedPayment], books: Books) -> list[UnappliedCash]:
    """The payments whose money on account plainly pays open invoices (books' ledger is taken)."""
    found = []
    for payment in payments:
        left = on_account(payment)
        if left <= 0:
            continue
        suggestion = _named(payment, left, books) or _same_amount(payment, left, books)
        if suggestion is not None:
            for invoice, amount in suggestion.allocations:
                books.ledger.take(invoice, amount)
            found.append(suggestion)
    return found


def _named(payment: PostedPayment, left: Decimal, books: Books) -> UnappliedCash | None:
    ledger = books.ledger
    text = f"{payment.reference} {payment.memo}".strip()
    if not text:
        return None
    named = [
        hit.invoice_ids[0]
        for hit in books.refs.find(text)
        if hit.how in _NAMED and len(hit.invoice_ids) == 1
    ]
    chosen: list[tuple[str, Decimal]] = []
    rest = left
    for invoice in dict.fromkeys(named):
        known = ledger.by_id.get(invoice)
        open_ = ledger.remaining.get(invoice, ZERO)
        if known is None or rest <= 0 or open_ <= 0:
            continue
        if invoice in payment.invoice_ids or not ledger.related(
            payment.customer_id, known.customer_id
        ):
            continue
        take = min(open_, rest)
        chosen.append((invoice, take))
        rest -= take
    if not chosen:
        return None
    ids = [i for i, _ in chosen]
    why = f"its {'memo' if payment.memo else 'reference'} names {listed(ids)}"
    return _found(payment, left, chosen, NAMED_CONFIDENCE, why)


def _same_amount(payment: PostedPayment, left: Decimal, books: Books) -> UnappliedCash | None:
    ledger = books.ledger
    family = ledger.family(payment.customer_id)
    exact = [inv for inv, open_ in ledger.open_of(family) if open_ == left]
    if len(exact) != 1:
        return None
    why = f"{exact[0].invoice_id} is open for exactly {format_money(left)}"
    return _found(payment, left, [(exact[0].invoice_id, left)], SAME_AMOUNT_CONFIDENCE, why)


def _found(
    payment: PostedPayment,
    left: Decimal,
    chosen: list[tuple[str, Decimal]],
    confidence: float,
    why: str,
) -> UnappliedCash:
    applied = ", ".join(f"{i} {format_money(a)}" for i, a in chosen)
    return UnappliedCash(
        payment=payment,
        on_account=left,
        allocations=tuple(chosen),
        confidence=confidence,
        explanation=(
            f"ERP payment {payment.payment_id} left {format_money(left)} on the account of "
            f"customer {payment.customer_id} while {why}: apply {applied}"
        ),
    )
