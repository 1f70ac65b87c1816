"""AR aging: open items by customer in buckets of days past due (or since invoicing)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP as HALF_UP
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from arbridge.domain.money import CENT

ZERO = Decimal(0)
DEFAULT_BOUNDS = (30, 60, 90)
"""Upper day limits of the buckets after `current`: 1-30, 31-60, 61-90, then over 90."""


class OpenItem(NamedTuple):
    """One invoice with money still owed, as the ERP shows it after arbridge's postings."""

    invoice_id: str
    customer_id: str
    invoice_date: date
    due_date: date
    open_amount: Decimal


class Basis(StrEnum):
    """What the age of an item counts from."""

    DUE_DATE = "due_date"
    INVOICE_DATE = "invoice_date"


@dataclass(frozen=True, slots=True)
class Buckets:
    """`current` (age 0 or less), then one bucket up to each bound, then one past the last."""

    bounds: tuple[int, ...] = DEFAULT_BOUNDS

    def __post_init__(self) -> None:
        if not self.bounds or any(b < 1 for b in self.bounds):
            raise ValueError("aging bucket bounds must be whole days of at least 1")
        if list(self.bounds) != sorted(set(self.bounds)):
            raise ValueError(f"aging bucket bounds must rise strictly: {list(self.bounds)}")

    @property
    def labels(self) -> tuple[str, ...]:
        """Column names: current, days_1_30, days_31_60, days_61_90, days_over_90 by default."""
        names, low = ["current"], 1
        for bound in self.bounds:
            names.append(f"days_{low}_{bound}")
            low = bound + 1
        names.append(f"days_over_{self.bounds[-1]}")
        return tuple(names)

    def index(self, days: int) -> int:
        """The bucket of an item this many days old."""
        if days <= 0:
            return 0
        return bisect_left(self.bounds, days) + 1


def days_old(item: OpenItem, as_of: date, basis: Basis = Basis.DUE_DATE) -> int:
    """Days past due (or since the invoice date) on `as_of`; 0 or less is not yet due."""
    start = item.due_date if basis is Basis.DUE_DATE else item.invoice_date
    return (as_of - start).days


@dataclass(frozen=True, slots=True)
class AgingRow:
    """One customer's open money, bucket by bucket."""

    customer_id: str
    customer_name: str
    amounts: tuple[Decimal, ...]

    @property
    def total(self) -> Decimal:
        """Everything the customer owes."""
        return sum(self.amounts, ZERO)


@dataclass(frozen=True, slots=True)
class AgingReport:
    """Per-customer rows (by customer id) and the total row."""

    as_of: date
    basis: Basis
    labels: tuple[str, ...]
    rows: tuple[AgingRow, ...]
    total: AgingRow


def age_items(
    items: Iterable[OpenItem],
    as_of: date,
    *,
    names: Mapping[str, str],
    buckets: Buckets | None = None,
    basis: Basis = Basis.DUE_DATE,
) -> AgingReport:
    """Sum the open items per customer and bucket; items with nothing open are left out."""
    buckets = buckets or Buckets()
    sums = tally(items, as_of, buckets=buckets, basis=basis)
    return aging_report(sums, as_of, names=names, buckets=buckets, basis=basis)


def tally(
    items: Iterable[OpenItem], as_of: date, *, buckets: Buckets, basis: Basis
) -> dict[str, list[Decimal]]:
    """Each customer's open money per bucket (customers with an item not zero only)."""
    width = len(buckets.labels)
    sums: dict[str, list[Decimal]] = {}
    bounds, by_due = buckets.bounds, basis is Basis.DUE_DATE
    for item in items:  # the hot loop of a large book: days and bucket inline
        amount = item.open_amount
        if not amount:
            continue
        row = sums.get(item.customer_id)
        if row is None:
            row = sums[item.customer_id] = [ZERO] * width
        days = (as_of - (item.due_date if by_due else item.invoice_date)).days
        row[0 if days <= 0 else bisect_left(bounds, days) + 1] += amount
    return sums


def aging_report(
    sums: Mapping[str, Sequence[Decimal]],
    as_of: date,
    *,
    names: Mapping[str, str],
    buckets: Buckets,
    basis: Basis,
) -> AgingReport:
    """The report of per-customer bucket sums (as `tally` gives them), by customer id."""
    width = len(buckets.labels)
    rows = tuple(  # as_money, inlined: this runs for every customer and bucket
        AgingRow(cid, names.get(cid, ""), tuple([v.quantize(CENT, HALF_UP) for v in sums[cid]]))
        for cid in sorted(sums)
    )
    totals = tuple(sum((r.amounts[i] for r in rows), ZERO) for i in range(width))
    return AgingReport(
        as_of=as_of,
        basis=basis,
        labels=buckets.labels,
        rows=rows,
        total=AgingRow("TOTAL", "", totals),
    )
