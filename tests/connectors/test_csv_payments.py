"""payments.csv (CONTRACT.md §6): rows grouped into payments; bad input names file, line and field."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from arbridge.connectors.erp import CsvPaymentReader
from arbridge.connectors.errors import PermanentConnectorError

HEADER = "payment_id,customer_id,invoice_id,amount,date,reference,memo\n"


def _reader(tmp_path: Path, body: str) -> CsvPaymentReader:
    (tmp_path / "payments.csv").write_text(HEADER + body, encoding="utf-8")
    return CsvPaymentReader(name="books", path=tmp_path / "payments.csv")


def test_rows_of_one_payment_are_one_payment_and_empty_invoice_is_on_account(
    tmp_path: Path,
) -> None:
    reader = _reader(
        tmp_path,
        "P1,C001,INV-1,10.00,2026-11-02,TX1,first\nP1,C001,,2.50,2026-11-02,,\n"
        "P2,C002,INV-2,5.00,2026-11-03,,\n",
    )

    batch = reader.fetch_payments_since(None)

    by_id = {p.payment_id: p for p in batch.payments}
    assert by_id["P1"].amount == Decimal("12.50")
    assert by_id["P1"].invoice_ids == ("INV-1",)
    assert [a.invoice_id for a in by_id["P1"].allocations] == ["INV-1", None]
    assert (by_id["P1"].reference, by_id["P1"].memo) == ("TX1", "first")
    assert batch.complete
    unchanged = reader.fetch_payments_since(batch.cursor)
    assert (list(unchanged.payments), unchanged.complete) == ([], False)
    (tmp_path / "payments.csv").write_text(
        HEADER + "P3,C003,,1.00,2026-11-04,,\n", encoding="utf-8"
    )
    changed = reader.fetch_payments_since(batch.cursor)
    assert ([p.payment_id for p in changed.payments], changed.complete) == (["P3"], True)


def test_a_bad_amount_names_file_line_and_field(tmp_path: Path) -> None:
    reader = _reader(tmp_path, "P1,C001,INV-1,10.00,2026-11-02,,\nP2,C001,INV-2,ten,2026-11-02,,\n")

    with pytest.raises(PermanentConnectorError) as caught:
        reader.fetch_payments_since(None)

    text = str(caught.value)
    assert "payments.csv:3, field 'amount', value 'ten'" in text


def test_rows_of_one_payment_on_two_customers_are_refused(tmp_path: Path) -> None:
    reader = _reader(
        tmp_path, "P1,C001,INV-1,10.00,2026-11-02,,\nP1,C002,INV-2,1.00,2026-11-02,,\n"
    )

    with pytest.raises(PermanentConnectorError, match="customer_id differs"):
        reader.fetch_payments_since(None)


def test_a_missing_file_is_no_payment_yet(tmp_path: Path) -> None:
    reader = CsvPaymentReader(name="books", path=tmp_path / "none.csv")

    assert list(reader.fetch_payments_since(None).payments) == []
