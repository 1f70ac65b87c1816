"""Cash events in, commission lines out: shares, basis, tiers and clawbacks. No I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from arbridge.commissions.plan import Plan, Rate, Tier, rep_shares
from arbridge.domain.commissions import CashEvent, CommissionLine, InvoiceTerms
from arbridge.domain.money import as_money

Key = tuple[int, str, str]
"""(application id, invoice id, rep): what one rep earned on one application to one invoice."""

Portion = tuple[Decimal, Decimal, Decimal]
"""(cash, basis, rate) of one line; several when the cash crosses a tier."""

_ZERO = Decimal("0.00")
_NO_RATE = Decimal(0)


def compute(
    events: Iterable[CashEvent],
    terms: Mapping[str, InvoiceTerms],
    plan: Plan,
    prior: Mapping[Key, Sequence[Portion]] | None = None,
    unpriced: set[str] | None = None,
) -> list[CommissionLine]:
    """The commission lines of `events`, in date order per rep.

    Cash on invoices without terms (no sales rep) earns nothing. A reversal claws back
    at the rates its original earned: from `prior` (lines of earlier periods) or from
    the original among `events`; else at the rate the plan gives it now. A rep the plan
    has no rate for earns 0 and is added to `unpriced`, for the caller to warn about.

    Raises:
        PlanError: an invoice whose rep split is malformed.
    """
    done: dict[Key, Sequence[Portion]] = dict(prior or {})
    cumulative: dict[str, Decimal] = {}
    shares: dict[str, list[tuple[str, Decimal]]] = {}
    lines: list[CommissionLine] = []
    dated = sorted(
        (e.effective_on, e.application_id, e.invoice_id, i, e) for i, e in enumerate(events)
    )
    for on, _, _, _, event in dated:
        invoice = terms.get(event.invoice_id)
        if invoice is None or not invoice.sales_rep or not plan.counts(invoice):
            continue
        basis = plan.basis(event.cash, invoice)
        reps = shares.get(invoice.sales_rep)
        if reps is None:
            reps = shares[invoice.sales_rep] = rep_shares(invoice)
        for rep, cash, rep_basis in _split(event.cash, basis, reps):
            rate = plan.rate_for(rep, invoice)
            if rate is None:
                rate = _NO_RATE
                if unpriced is not None:
                    unpriced.add(rep)
            so_far = cumulative.get(rep, _ZERO)
            if event.reverses_id is None:
                portions = _price(rate, so_far, cash, rep_basis)
                done[event.application_id, event.invoice_id, rep] = portions
                cumulative[rep] = so_far + cash
            else:
                original = done.get((event.reverses_id, event.invoice_id, rep))
                portions = _undo(original, rate, so_far, cash, rep_basis)
                cumulative[rep] = so_far - cash
            sign = 1 if event.reverses_id is None else -1
            lines.extend(_line(event, on, invoice, rep=rep, portion=p, sign=sign) for p in portions)
    lines.sort(key=lambda x: (x.sales_rep, x.effective_on, x.bank_id, x.invoice_id))
    return lines


def portions_of(lines: Iterable[CommissionLine]) -> dict[Key, list[Portion]]:
    """Earlier lines as `prior` for `compute`: what each original application earned."""
    found: dict[Key, list[Portion]] = {}
    for x in lines:
        if x.reverses_id is None:
            key = (x.application_id, x.invoice_id, x.sales_rep)
            found.setdefault(key, []).append((x.cash_amount, x.basis, x.rate))
    return found


def _split(
    cash: Decimal, basis: Decimal, shares: Sequence[tuple[str, Decimal]]
) -> list[tuple[str, Decimal, Decimal]]:
    """Each rep's cash and basis; the last rep takes the rounding so the parts add up."""
    if len(shares) == 1:
        return [(shares[0][0], cash, basis)]
    parts: list[tuple[str, Decimal, Decimal]] = []
    cash_left, basis_left = cash, basis
    for rep, share in shares[:-1]:
        rep_cash, rep_basis = as_money(cash * share), as_money(basis * share)
        parts.append((rep, rep_cash, rep_basis))
        cash_left, basis_left = cash_left - rep_cash, basis_left - rep_basis
    parts.append((shares[-1][0], cash_left, basis_left))
    return parts


def _price(rate: Rate, so_far: Decimal, cash: Decimal, basis: Decimal) -> list[Portion]:
    """The portions of `cash` at each rate, the rep having collected `so_far` before it."""
    if isinstance(rate, Decimal):
        return [(cash, basis, rate)]
    pieces = [(part, r) for part, r in _bands(rate, so_far, cash) if part > 0]
    if not pieces:
        return [(cash, basis, _rate_at(rate, so_far))]
    return _with_basis(pieces, cash, basis)


def _bands(tiers: tuple[Tier, ...], start: Decimal, cash: Decimal) -> list[tuple[Decimal, Decimal]]:
    """How much of [start, start + cash) falls in each tier, with the tier's rate."""
    end, low = start + cash, None
    bands: list[tuple[Decimal, Decimal]] = []
    for tier in tiers:
        lo = start if low is None else max(start, low)
        hi = end if tier.up_to is None else min(end, tier.up_to)
        bands.append((max(hi - lo, _ZERO), tier.rate))
        low = tier.up_to
        if low is None:
            break
    return bands


def _rate_at(tiers: tuple[Tier, ...], amount: Decimal) -> Decimal:
    for tier in tiers:
        if tier.up_to is None or amount < tier.up_to:
            return tier.rate
    return tiers[-1].rate


def _with_basis(
    pieces: Sequence[tuple[Decimal, Decimal]], cash: Decimal, basis: Decimal
) -> list[Portion]:
    """Give each cash piece its share of the basis; the last piece takes the rounding."""
    portions: list[Portion] = []
    left = basis
    for i, (part, rate) in enumerate(pieces):
        share = left if i == len(pieces) - 1 else as_money(basis * part / cash)
        portions.append((part, share, rate))
        left -= share
    return portions


def _undo(
    original: Sequence[Portion] | None, rate: Rate, so_far: Decimal, cash: Decimal, basis: Decimal
) -> list[Portion]:
    """The portions a reversal of `cash` takes back: the original's, top tier first."""
    if not original:
        return _price(rate, so_far - cash, cash, basis)
    if sum(p[0] for p in original) == cash:
        return list(original)
    pieces: list[tuple[Decimal, Decimal]] = []
    left = cash
    for part, _, r in reversed(original):
        take = min(part, left)
        if take > 0:
            pieces.append((take, r))
        left -= take
    if left > 0:
        pieces.append((left, original[0][2]))
    return _with_basis(pieces, cash, basis)


def _line(
    event: CashEvent, on: date, invoice: InvoiceTerms, *, rep: str, portion: Portion, sign: int
) -> CommissionLine:
    cash, basis, rate = portion
    return CommissionLine(
        sales_rep=rep,
        invoice_id=event.invoice_id,
        customer_id=invoice.customer_id,
        bank_id=event.bank_id,
        booked_on=event.booked_on,
        effective_on=on,
        application_id=event.application_id,
        cash_amount=sign * cash,
        basis=sign * basis,
        rate=rate,
        commission=sign * as_money(basis * rate),
        reverses_id=event.reverses_id,
    )
