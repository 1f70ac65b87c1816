"""A customer statement as a PDF (fpdf2: pure Python, no system libraries to install)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial

from fpdf import FPDF

from arbridge.domain.money import format_money
from arbridge.receivables.statements import Statement

_WIDTH = 190  # printable width of an A4 page with 10 mm margins


def _text(value: str) -> str:
    """The core PDF fonts cover Latin-1 only: anything else becomes '?'."""
    return value.encode("latin-1", "replace").decode("latin-1")


def render_statement(
    statement: Statement, *, company: str, remit_to: str, instructions: str
) -> bytes:
    """The statement as PDF bytes: header, activity, open items, aging, how to pay."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(_WIDTH, 9, _text(company or "Statement of account"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    s = statement
    pdf.cell(
        _WIDTH, 6, _text(f"Statement for {s.name} ({s.customer_id})"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.cell(_WIDTH, 6, f"Period {s.period_start} to {s.as_of}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _table(
        pdf,
        ["Date", "Type", "Reference", "Amount"],
        [["", "", "Opening balance", format_money(s.opening)]]
        + [[str(a.day), a.kind, a.reference, format_money(a.amount)] for a in s.activity]
        + [["", "", "Closing balance", format_money(s.closing)]],
        [25, 25, 100, 40],
    )
    pdf.ln(4)
    _heading(pdf, "Open items")
    _table(
        pdf,
        ["Invoice", "Date", "Due", "Days past due", "Open"],
        [
            [
                o.invoice_id,
                str(o.invoice_date),
                str(o.due_date),
                str(o.days_past_due),
                format_money(o.open_amount),
            ]
            for o in s.open_items
        ],
        [50, 30, 30, 35, 45],
    )
    pdf.ln(4)
    _heading(pdf, "Aging")
    labels = [label.replace("days_", "").replace("_", "-") for label in s.aging_labels]
    width = _WIDTH / (len(labels) + 1)
    _table(
        pdf,
        [*labels, "Total"],
        [[*(format_money(v) for v in s.aging.amounts), format_money(s.aging.total)]],
        [width] * (len(labels) + 1),
    )
    for title, body in (("Remit to", remit_to), ("How to pay", instructions)):
        if body:
            pdf.ln(4)
            _heading(pdf, title)
            pdf.multi_cell(_WIDTH, 5, _text(body), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _heading(pdf: FPDF, title: str) -> None:
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(_WIDTH, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)


def _table(
    pdf: FPDF, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]
) -> None:
    """A ruled table drawn with `text` and `line`: cells would lay out each one, 10x slower."""
    _row(pdf, header, widths, bold=True)
    for row in rows:
        _row(pdf, [_text(v)[:60] for v in row], widths, bold=False)


_ROW = 6.0
_PAD = 1.5


def _row(pdf: FPDF, values: Sequence[str], widths: Sequence[float], *, bold: bool) -> None:
    if pdf.will_page_break(_ROW):
        pdf.add_page()
    pdf.set_font("Helvetica", "B" if bold else "", 9)
    x, y = pdf.l_margin, pdf.get_y()
    for i, (text, w) in enumerate(zip(values, widths, strict=True)):
        right = not bold and (i == len(values) - 1 or _numeric(text))
        left = x + w - _PAD - pdf.get_string_width(text) if right else x + _PAD
        pdf.text(left, y + _ROW - 1.8, text)
        pdf.line(x, y, x, y + _ROW)
        x += w
    pdf.line(x, y, x, y + _ROW)
    pdf.line(pdf.l_margin, y, x, y)
    pdf.line(pdf.l_margin, y + _ROW, x, y + _ROW)
    pdf.set_xy(pdf.l_margin, y + _ROW)


def _numeric(text: str) -> bool:
    return text.replace(".", "").replace("-", "").isdigit()


_PARALLEL_FROM = 64
"""Fewer statements than this are rendered in this process (a pool costs ~0.1 s to start)."""


def render_many(
    statements: Sequence[Statement], *, company: str, remit_to: str, instructions: str
) -> Iterator[bytes]:
    """The PDFs of many statements, in order, rendered on every CPU of the machine."""
    render = partial(
        render_statement, company=company, remit_to=remit_to, instructions=instructions
    )
    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or len(statements) < _PARALLEL_FROM:  # noqa: PLR2004 - see _PARALLEL_FROM
        yield from map(render, statements)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(render, statements, chunksize=32)
