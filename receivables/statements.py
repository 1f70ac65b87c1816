"""Monthly customer statements: opening balance, the month's activity, open items, aging."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from arbridge.domain.money import as_money
from arbridge.receivables.aging import ZERO, AgingRow, Buckets, OpenItem, age_items, days_old


@dataclass(frozen=True, slots=True)
class Activity:
    """One line of the month: an invoice (positive), a payment or a credit (negative)."""

    day: date
    kind: str  # invoice | payment | credit
    reference: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class OpenLine:
    """An invoice still open on the statement date."""

    invoice_id: str
    invoice_date: date
    due_date: date
    open_amount: Decimal
    days_past_due: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Statement:
    """What one customer's statement says."""

    customer_id: str
    name: str
    period_start: date
    as_of: date
    opening: Decimal
    activity: tuple[Activity, ...]
    closing: Decimal
    open_items: tuple[OpenLine, ...]
    aging_labels: tuple[str, ...]
    aging: AgingRow

    @property
    def month(self) -> str:
        """YYYY-MM of the statement."""
        return f"{self.as_of:%Y-%m}"


def month_start(day: date) -> date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def build_statement(
    customer_id: str,
    name: str,
    open_items: Sequence[OpenItem],
    activity: Sequence[Activity],
    *,
    as_of: date,
    buckets: Buckets | None = None,
) -> Statement:
    """The statement of the month to `as_of`.

    The closing balance is the customer's open items; the opening balance is what the
    month's activity leaves of it unexplained (closing - invoices + payments and credits).
    """
    mine = [i for i in open_items if i.customer_id == customer_id and i.open_amount]
    closing = as_money(sum((i.open_amount for i in mine), ZERO))
    moved = sum((a.amount for a in activity), ZERO)
    aging = age_items(mine, as_of, names={customer_id: name}, buckets=buckets)
    labels = aging.labels
    row = aging.rows[0] if aging.rows else AgingRow(customer_id, name, (ZERO,) * len(labels))
    return Statement(
        customer_id=customer_id,
        name=name,
        period_start=month_start(as_of),
        as_of=as_of,
        opening=as_money(closing - moved),
        activity=tuple(sorted(activity, key=lambda a: (a.day, a.kind, a.reference))),
        closing=closing,
        open_items=tuple(
            OpenLine(
                i.invoice_id, i.invoice_date, i.due_date, i.open_amount, max(days_old(i, as_of), 0)
            )
            for i in sorted(mine, key=lambda i: (i.due_date, i.invoice_id))
        ),
        aging_labels=labels,
        aging=row,
    )
