"""The collection KPIs: past-due shares, invoices over 90 days, DSO, days delinquent, CEI."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from arbridge.domain.money import as_money, format_money
from arbridge.receivables.aging import ZERO, OpenItem, days_old

SHARE_PLACES = Decimal("0.0001")
DAYS_PLACES = Decimal("0.01")
PERCENT_PLACES = Decimal("0.01")
OVERDUE_DAYS = 20
"""`past_due_over_20_days_share` counts items more than this many days past due."""
LONG_OVERDUE_DAYS = 90


@dataclass(frozen=True, slots=True, kw_only=True)
class PeriodFacts:
    """What the period-based KPIs need beside the open items.

    The period runs from the day after `start` to `as_of`, both included.
    """

    start: date
    credit_sales: Decimal
    """Invoiced in the period (the invoices' full amounts)."""
    beginning_open: Decimal | None
    """Receivables open at `start`; None when unknown (CEI is then not given)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Kpis:
    """Receivables health on one day."""

    as_of: date
    open_total: Decimal
    past_due_total: Decimal
    past_due_over_20_days_total: Decimal
    past_due_share: Decimal
    past_due_over_20_days_share: Decimal
    invoices_open: int
    invoices_over_90_days: int
    period_start: date | None = None
    period_days: int | None = None
    credit_sales: Decimal | None = None
    dso: Decimal | None = None
    best_possible_dso: Decimal | None = None
    average_days_delinquent: Decimal | None = None
    beginning_open: Decimal | None = None
    cei: Decimal | None = None
    """Collection effectiveness index, in percent."""


def _share(part: Decimal, whole: Decimal) -> Decimal:
    if not whole:
        return ZERO.quantize(SHARE_PLACES)
    return (part / whole).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


class OpenTotals(NamedTuple):
    """The sums and counts the day's KPIs are made of (additive across customers)."""

    total: Decimal = ZERO
    past_due: Decimal = ZERO
    over_20: Decimal = ZERO
    invoices: int = 0
    over_90: int = 0

    def plus(self, other: OpenTotals) -> OpenTotals:
        """Both sets of items together."""
        return OpenTotals(
            self.total + other.total,
            self.past_due + other.past_due,
            self.over_20 + other.over_20,
            self.invoices + other.invoices,
            self.over_90 + other.over_90,
        )


def open_totals(items: Iterable[OpenItem], as_of: date) -> OpenTotals:
    """The totals of the open items on `as_of` (ages by due date)."""
    total = past_due = over_20 = ZERO
    count = over_90 = 0
    for item in items:
        amount = item.open_amount
        if not amount:
            continue
        count += 1
        total += amount
        days = days_old(item, as_of)
        if days > 0:
            past_due += amount
            if days > OVERDUE_DAYS:
                over_20 += amount
            if days > LONG_OVERDUE_DAYS and amount > 0:
                over_90 += 1
    return OpenTotals(total, past_due, over_20, count, over_90)


def compute_kpis(items: Iterable[OpenItem], as_of: date, period: PeriodFacts | None = None) -> Kpis:
    """The KPIs of the open items on `as_of` (ages by due date), and of the period if given."""
    return kpis_of(open_totals(items, as_of), as_of, period)


def kpis_of(totals: OpenTotals, as_of: date, period: PeriodFacts | None = None) -> Kpis:
    """The KPIs of the open items' totals (`open_totals`), and of the period if given."""
    kpis = Kpis(
        as_of=as_of,
        open_total=as_money(totals.total),
        past_due_total=as_money(totals.past_due),
        past_due_over_20_days_total=as_money(totals.over_20),
        past_due_share=_share(totals.past_due, totals.total),
        past_due_over_20_days_share=_share(totals.over_20, totals.total),
        invoices_open=totals.invoices,
        invoices_over_90_days=totals.over_90,
    )
    return kpis if period is None else _with_period(kpis, period)


def _with_period(kpis: Kpis, period: PeriodFacts) -> Kpis:
    """DSO = open / sales x days; best possible DSO counts only current money; CEI in percent."""
    days = (kpis.as_of - period.start).days
    sales = period.credit_sales
    current = kpis.open_total - kpis.past_due_total
    dso = best = delinquent = cei = None
    if sales > 0 and days > 0:
        dso = (kpis.open_total / sales * days).quantize(DAYS_PLACES, rounding=ROUND_HALF_UP)
        best = (current / sales * days).quantize(DAYS_PLACES, rounding=ROUND_HALF_UP)
        delinquent = dso - best
    if period.beginning_open is not None:
        collectible = period.beginning_open + sales
        if collectible - current > 0:
            collected = collectible - kpis.open_total
            cei = (collected / (collectible - current) * 100).quantize(
                PERCENT_PLACES, rounding=ROUND_HALF_UP
            )
    return dataclasses.replace(
        kpis,
        period_start=period.start,
        period_days=days,
        credit_sales=as_money(sales),
        dso=dso,
        best_possible_dso=best,
        average_days_delinquent=delinquent,
        beginning_open=None if period.beginning_open is None else as_money(period.beginning_open),
        cei=cei,
    )


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format_money(value)


def kpis_json(k: Kpis) -> dict[str, Any]:
    """The KPIs as JSON values: money as 2-place strings, shares and days as numbers."""
    return {
        "as_of": k.as_of.isoformat(),
        "open_total": format_money(k.open_total),
        "past_due_total": format_money(k.past_due_total),
        "past_due_over_20_days_total": format_money(k.past_due_over_20_days_total),
        "past_due_share": float(k.past_due_share),
        "past_due_over_20_days_share": float(k.past_due_over_20_days_share),
        "invoices_open": k.invoices_open,
        "invoices_over_90_days": k.invoices_over_90_days,
        "period_start": k.period_start.isoformat() if k.period_start else None,
        "period_days": k.period_days,
        "credit_sales": _money(k.credit_sales),
        "dso": _number(k.dso),
        "best_possible_dso": _number(k.best_possible_dso),
        "average_days_delinquent": _number(k.average_days_delinquent),
        "beginning_open": _money(k.beginning_open),
        "cei": _number(k.cei),
    }
