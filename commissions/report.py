"""The report as text: the contract's CSV (CONTRACT.md §8), a detailed CSV, payroll totals."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from arbridge.domain.commissions import CommissionLine
from arbridge.domain.money import format_money

COLUMNS = (
    "sales_rep",
    "invoice_id",
    "bank_transaction_id",
    "booked_on",
    "cash_amount",
    "rate",
    "commission",
)
DETAIL_COLUMNS = (
    *COLUMNS,
    "customer_id",
    "basis",
    "effective_on",
    "application_id",
    "reverses_application_id",
)
SUMMARY_COLUMNS = ("sales_rep", "lines", "cash_amount", "clawed_back", "basis", "commission")


def _row(x: CommissionLine) -> list[str]:
    return [
        x.sales_rep,
        x.invoice_id,
        x.bank_id,
        x.booked_on.isoformat(),
        format_money(x.cash_amount),
        str(x.rate),
        format_money(x.commission),
    ]


def _detail(x: CommissionLine) -> list[str]:
    reverses = "" if x.reverses_id is None else str(x.reverses_id)
    extra = [x.customer_id, format_money(x.basis), x.effective_on.isoformat()]
    return [*_row(x), *extra, str(x.application_id), reverses]


def lines_csv(lines: Iterable[CommissionLine], *, detail: bool = False) -> str:
    """One row per line under the contract's header (or the detailed one)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(DETAIL_COLUMNS if detail else COLUMNS)
    writer.writerows(_detail(x) if detail else _row(x) for x in lines)
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class RepTotal:
    """What one rep is owed for a period: for payroll."""

    sales_rep: str
    lines: int
    cash_amount: Decimal
    clawed_back: Decimal
    basis: Decimal
    commission: Decimal


def totals(lines: Sequence[CommissionLine]) -> list[RepTotal]:
    """Per-rep totals, reps in name order; `clawed_back` is the (negative) reversed cash."""
    by_rep: dict[str, list[CommissionLine]] = {}
    for x in lines:
        by_rep.setdefault(x.sales_rep, []).append(x)
    return [_total(rep, by_rep[rep]) for rep in sorted(by_rep)]


def _total(rep: str, mine: Sequence[CommissionLine]) -> RepTotal:
    zero = Decimal("0.00")
    return RepTotal(
        sales_rep=rep,
        lines=len(mine),
        cash_amount=sum((x.cash_amount for x in mine), zero),
        clawed_back=sum((x.cash_amount for x in mine if x.cash_amount < 0), zero),
        basis=sum((x.basis for x in mine), zero),
        commission=sum((x.commission for x in mine), zero),
    )


def grand_total(lines: Sequence[CommissionLine]) -> RepTotal:
    """All reps together, as a row named TOTAL."""
    return _total("TOTAL", lines)


def totals_csv(lines: Sequence[CommissionLine]) -> str:
    """The payroll summary: one row per rep, then a TOTAL row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    rows = totals(lines)
    for t in rows:
        writer.writerow(_total_row(t))
    writer.writerow(_total_row(grand_total(lines)))
    return buffer.getvalue()


def _total_row(t: RepTotal) -> list[str]:
    money = [t.cash_amount, t.clawed_back, t.basis, t.commission]
    return [t.sales_rep, str(t.lines), *(format_money(m) for m in money)]
