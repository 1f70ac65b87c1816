"""A rep's commission statement as a PDF, for the VP of Sales.

Every line is traced to its bank line and invoice, clawbacks are marked, then the total.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from arbridge.domain.commissions import CommissionLine
from arbridge.domain.money import format_money

_HEAD = ("Booked", "Bank line", "Invoice", "Customer", "Cash", "Rate", "Commission")
_WIDTHS = (22, 34, 30, 30, 26, 16, 28)
_FIRST_NUMBER = 4  # columns from here on are amounts, aligned right


def statement(rep: str, lines: Sequence[CommissionLine], start: date, end: date) -> bytes:
    """The PDF bytes of `rep`'s statement for the period (lines of other reps are left out)."""
    mine = [x for x in lines if x.sales_rep == rep]
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    _text(pdf, f"Commission statement: {rep}", 0, 10)
    pdf.set_font("Helvetica", "", 10)
    _text(pdf, f"Cash collected from {start.isoformat()} to {end.isoformat()}", 0, 7)
    _row(pdf, _HEAD, bold=True)
    for x in mine:
        _row(pdf, _cells(x))
    total = sum((x.commission for x in mine), Decimal("0.00"))
    cash = sum((x.cash_amount for x in mine), Decimal("0.00"))
    clawed = sum((x.commission for x in mine if x.commission < 0), Decimal("0.00"))
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 10)
    _text(
        pdf,
        f"{len(mine)} line(s); cash {format_money(cash)}; commission {format_money(total)}",
        0,
        6,
    )
    pdf.set_font("Helvetica", "", 9)
    if clawed:
        _text(pdf, f"of which clawed back: {format_money(clawed)} (lines marked 'reverses')", 0, 6)
    return bytes(pdf.output())


def _cells(x: CommissionLine) -> tuple[str, ...]:
    bank = x.bank_id if x.reverses_id is None else f"{x.bank_id} reverses"
    return (
        x.booked_on.isoformat(),
        bank,
        x.invoice_id,
        x.customer_id,
        format_money(x.cash_amount),
        str(x.rate),
        format_money(x.commission),
    )


def _row(pdf: FPDF, cells: Sequence[str], *, bold: bool = False) -> None:
    pdf.set_font("Helvetica", "B" if bold else "", 9)
    for i, (cell, width) in enumerate(zip(cells, _WIDTHS, strict=True)):
        last = i == len(cells) - 1
        pdf.cell(
            width,
            6,
            _latin1(cell)[:24],
            border=1,
            align="R" if i >= _FIRST_NUMBER else "L",
            new_x=XPos.LMARGIN if last else XPos.RIGHT,
            new_y=YPos.NEXT if last else YPos.TOP,
        )


def _text(pdf: FPDF, text: str, width: float, height: float) -> None:
    pdf.cell(width, height, _latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _latin1(text: str) -> str:
    """The PDF's core fonts know Latin-1 only; anything else prints as '?'."""
    return text.encode("latin-1", "replace").decode("latin-1")
