"""The period's report as an XLSX workbook: a payroll summary sheet, then one sheet per rep."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook

from arbridge.commissions.report import DETAIL_COLUMNS, SUMMARY_COLUMNS, grand_total, totals
from arbridge.domain.commissions import CommissionLine

_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def workbook(lines: Sequence[CommissionLine], start: date, end: date) -> bytes:
    """The XLSX bytes: `Summary` (one row per rep and a TOTAL), then a sheet per rep."""
    book = Workbook(write_only=True)
    summary = book.create_sheet("Summary")
    summary.append([f"Commissions {start.isoformat()} to {end.isoformat()}"])
    summary.append(list(SUMMARY_COLUMNS))
    for t in [*totals(lines), grand_total(lines)]:
        summary.append([t.sales_rep, t.lines, t.cash_amount, t.clawed_back, t.basis, t.commission])
    by_rep: dict[str, list[CommissionLine]] = {}
    for x in lines:
        by_rep.setdefault(x.sales_rep, []).append(x)
    titles: set[str] = {"summary"}
    for rep in sorted(by_rep):
        sheet = book.create_sheet(_title(rep, titles))
        sheet.append(list(DETAIL_COLUMNS))
        for x in by_rep[rep]:
            sheet.append(_cells(x))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cells(x: CommissionLine) -> list[object]:
    return [
        x.sales_rep,
        x.invoice_id,
        x.bank_id,
        x.booked_on,
        x.cash_amount,
        x.rate,
        x.commission,
        x.customer_id,
        x.basis,
        x.effective_on,
        x.application_id,
        x.reverses_id,
    ]


def _title(rep: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, no brackets, colons, slashes...), unique."""
    base = _BAD_TITLE.sub("_", rep)[:28] or "rep"
    title, n = base, 1
    while title.lower() in taken:
        n += 1
        title = f"{base[:25]}~{n}"
    taken.add(title.lower())
    return title
