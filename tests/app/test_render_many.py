"""Many statements rendered on every CPU come back complete and in order."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from pypdf import PdfReader

from arbridge.app.statement_pdf import render_many
from arbridge.receivables import OpenItem
from arbridge.receivables.statements import build_statement

AS_OF = date(2026, 11, 30)


def test_a_pool_renders_them_in_order() -> None:
    statements = [
        build_statement(
            f"C{n:03d}",
            f"Customer {n}",
            [OpenItem(f"INV-{n}", f"C{n:03d}", date(2026, 10, 1), date(2026, 10, 31), Decimal(n))],
            [],
            as_of=AS_OF,
        )
        for n in range(1, 81)  # above the size rendered in-process
    ]
    pdfs = list(render_many(statements, company="Co", remit_to="1 Road", instructions="ACH"))
    assert len(pdfs) == 80
    for n in (1, 37, 80):
        text = PdfReader(io.BytesIO(pdfs[n - 1])).pages[0].extract_text()
        assert f"Customer {n}" in text
        assert f"INV-{n} " in text
