"""How a payment's amount fits open invoices: exact, discounted, less a bank fee, over, short.

Each fit says what cash goes to which invoice, the non-cash adjustment that
closes it (`discount`, `bank_fee`), any unapplied rest, and a sentence saying why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from arbridge.domain.money import as_money, format_money
from arbridge.domain.records import ZERO, Invoice
from arbridge.matching.terms import Terms

Open = tuple[Invoice, Decimal]
"""An invoice and what is still open on it as this batch stands."""

TermsOf = Callable[[Invoice], Terms | None]


class FitKind(StrEnum):
    """The kinds of fit, with the confidence each gives on its own."""

    EXACT = "exact"
    DISCOUNT = "discount"
    BANK_FEE = "bank_fee"
    OVERPAYMENT = "overpayment"
    PARTIAL = "partial"


FIT_CONFIDENCE = {
    FitKind.EXACT: 1.0,
    FitKind.DISCOUNT: 0.97,
    FitKind.BANK_FEE: 0.95,
    FitKind.OVERPAYMENT: 0.93,
    FitKind.PARTIAL: 0.9,
}


@dataclass(frozen=True, slots=True)
class Part:
    """Cash (and a closing adjustment) for one invoice."""

    invoice: Invoice
    cash: Decimal
    adjustment: Decimal = ZERO
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Fit:
    """A way the payment covers invoices; `credit` is left unapplied on the customer."""

    kind: FitKind
    parts: tuple[Part, ...]
    note: str
    credit: Decimal = ZERO


def total(opens: Sequence[Open]) -> Decimal:
    """What is open on the invoices together."""
    return sum((rem for _, rem in opens), ZERO)


def exact(opens: Sequence[Open], amount: Decimal) -> Fit | None:
    """The payment equals the open amounts."""
    if not opens or total(opens) != amount:
        return None
    return Fit(
        FitKind.EXACT, tuple(Part(inv, rem) for inv, rem in opens), "amount equals the open amount"
    )


@dataclass(frozen=True, slots=True)
class _Discount:
    value: Decimal
    day: int
    terms: Terms


def _discount(inv: Invoice, rem: Decimal, on: date, terms_of: TermsOf) -> _Discount | None:
    terms = terms_of(inv)
    if terms is None or rem != inv.amount:
        return None
    return _Discount(as_money(rem * terms.rate), (on - inv.invoice_date).days, terms)


def discounted(
    opens: Sequence[Open], amount: Decimal, on: date, terms_of: TermsOf, grace_days: int
) -> tuple[Fit | None, str | None]:
    """The payment equals the open amounts less the early-payment discounts.

    Returns:
        The fit when every discount was taken within its window (plus grace), else
        None and, when the amount only fits with a discount taken late, why.
    """
    found = [(inv, rem, _discount(inv, rem, on, terms_of)) for inv, rem in opens]
    if not any(d for _, _, d in found):
        return None, None
    due = sum((rem - (d.value if d else ZERO) for _, rem, d in found), ZERO)
    if abs(due - amount) > Decimal("0.01") * len(found):
        return None, None
    late = [(inv, d) for inv, _, d in found if d and d.day > d.terms.days + grace_days]
    if late:
        inv, d = late[0]
        pct = _pct(d.terms.rate)
        return None, (
            f"amount equals the open amount less a {pct} discount, but {inv.invoice_id} was paid "
            f"on day {d.day}, after the {d.terms.days}-day discount window"
        )
    parts = [
        Part(inv, rem - d.value, d.value, "discount") if d else Part(inv, rem)
        for inv, rem, d in found
    ]
    parts[-1] = _absorb(parts[-1], amount - sum((p.cash for p in parts), ZERO))
    first = next(d for _, _, d in found if d)
    pct = _pct(first.terms.rate)
    note = f"amount equals the open amount less {pct} discount, paid on day {first.day}"
    return Fit(FitKind.DISCOUNT, tuple(parts), note), None


def _pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def _absorb(part: Part, rounding: Decimal) -> Part:
    """Move a cent of rounding between the cash and the adjustment of a part."""
    if not rounding:
        return part
    return Part(part.invoice, part.cash + rounding, part.adjustment - rounding, part.reason)


def bank_fee(
    opens: Sequence[Open], amount: Decimal, tolerance: Decimal, max_share: Decimal
) -> Fit | None:
    """The payment is short by no more than a bank fee; the fee closes the last invoice.

    The shortfall must be within `tolerance` and at most `max_share` of the open amount.
    """
    short = total(opens) - amount
    if not opens or not ZERO < short <= min(tolerance, total(opens) * max_share):
        return None
    *full, (inv, rem) = opens
    if rem <= short:
        return None
    parts = [Part(i, r) for i, r in full] + [Part(inv, rem - short, short, "bank_fee")]
    note = f"amount equals the open amount less a {format_money(short)} bank fee"
    return Fit(FitKind.BANK_FEE, tuple(parts), note)


def retained(opens: Sequence[Open], amount: Decimal) -> Fit | None:
    """Progress bills paid less their contract's retainage: not short, the retainage stays open.

    Every invoice must carry a `retainage_pct`; each keeps back that share of its amount
    (at most what is open on it) and the payment is exactly the rest.
    """
    if not opens or any(not inv.retainage_pct for inv, _ in opens):
        return None
    parts: list[Part] = []
    kept = ZERO
    for inv, rem in opens:
        keep = min(rem, as_money(inv.amount * (inv.retainage_pct or ZERO) / 100))
        if rem > keep:
            parts.append(Part(inv, rem - keep))
        kept += keep
    if not parts or not kept or total(opens) - kept != amount:
        return None
    note = f"amount equals the open amount less {format_money(kept)} retainage, which stays open"
    return Fit(FitKind.PARTIAL, tuple(parts), note)


def overpaid(opens: Sequence[Open], amount: Decimal) -> Fit | None:
    """The payment exceeds the open amounts: invoices closed, the rest left as credit."""
    extra = amount - total(opens)
    if not opens or extra <= 0:
        return None
    note = f"amount exceeds the open amount by {format_money(extra)}, left as unapplied credit"
    return Fit(FitKind.OVERPAYMENT, tuple(Part(i, r) for i, r in opens), note, credit=extra)


def partial(opens: Sequence[Open], amount: Decimal) -> Fit | None:
    """A payment short of the one invoice it names."""
    if len(opens) != 1 or not ZERO < amount < opens[0][1]:
        return None
    inv, rem = opens[0]
    note = f"part payment: {format_money(amount)} of {format_money(rem)} open, {format_money(rem - amount)} stays open"
    return Fit(FitKind.PARTIAL, (Part(inv, amount),), note)
