"""The queue's .xlsx export: a workbook a spreadsheet opens with the right types."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import httpx
from openpyxl import load_workbook
from sqlmodel import col, update

from arbridge.app import App
from arbridge.store.tables import BankLineRow
from arbridge.web.xlsx_sheet import Cell, write_workbook
from tests.web.test_web import _login

HEADER = ("item", "amount", "day", "at", "text", "blank")


def _read(data: bytes) -> list[tuple[object, ...]]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [tuple(c.value for c in row) for row in sheet.iter_rows()]


def test_cells_keep_their_types_and_strings_are_never_formulas() -> None:
    at = datetime(2026, 11, 5, 14, 30, tzinfo=UTC)
    rows: list[list[Cell]] = [
        [1, Decimal("1234.56"), date(2026, 11, 5), at, "=SUM(A1:A9) & <b>", None],
        [2, Decimal("-0.07"), None, at.astimezone(timezone(timedelta(hours=-5))), " x\x0by ", ""],
    ]
    out = io.BytesIO()
    assert write_workbook(out, "Review & queue", HEADER, [rows[:1], rows[1:]]) == 2
    book = load_workbook(io.BytesIO(out.getvalue()))
    sheet = book.active
    assert sheet is not None
    assert sheet.title == "Review & queue"
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b
    header, first, second = _read(out.getvalue())

    assert header == HEADER
    assert first[0] == 1
    assert Decimal(str(first[1])) == Decimal("1234.56")
    assert sheet["B2"].number_format == "#,##0.00"
    assert isinstance(first[2], datetime)
    assert (first[2].date(), first[2].hour) == (date(2026, 11, 5), 0)
    assert sheet["C2"].number_format == "yyyy-mm-dd"
    assert first[3] == at.replace(tzinfo=None)  # a spreadsheet has no time zones
    assert first[4] == "=SUM(A1:A9) & <b>"
    assert sheet["E2"].data_type == "s"  # text, not a formula
    assert first[5] is None
    assert Decimal(str(second[1])) == Decimal("-0.07")
    assert second[2] is None
    assert second[3] == at.replace(tzinfo=None)  # shown in UTC
    assert second[4] == " xy "  # a character XML cannot hold is dropped, spaces kept


def test_the_export_of_a_bank_text_with_a_control_character_opens(
    client: httpx.Client, demo: App
) -> None:
    _login(client, "clara")
    with demo.store.transaction() as session:
        session.exec(
            update(BankLineRow)
            .where(col(BankLineRow.bank_id) == "TX0005")
            .values(description="DELTA HARBOR\x0bLOGISTICS ACH CREDIT")
        )
    answer = client.get("/export.xlsx")

    assert answer.status_code == 200
    header, *rows = _read(answer.content)
    texts = [r[header.index("bank_text")] for r in rows]
    assert "DELTA HARBORLOGISTICS ACH CREDIT" in texts
