"""Several processes appending to one applications.csv in turn: each sees the others' rows."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from arbridge.connectors.base import PostOutcome
from arbridge.connectors.erp import CsvErpGateway
from arbridge.connectors.errors import PermanentConnectorError
from arbridge.domain.records import Allocation, Application
from tests.conftest import DEMO


def _gateway(root: Path) -> CsvErpGateway:
    return CsvErpGateway(
        name="books",
        customers=root / "erp" / "customers.csv",
        invoices=root / "erp" / "invoices.csv",
        applications=root / "out" / "applications.csv",
        clock=lambda: datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copytree(DEMO / "erp", tmp_path / "erp")
    return tmp_path


def _app(bank_id: str, invoice: str, amount: str) -> Application:
    allocation = Allocation(invoice_id=invoice, customer_id="C001", amount=Decimal(amount))
    return Application(
        idempotency_key=f"operating:{bank_id}",
        bank_account="operating",
        bank_id=bank_id,
        customer_id="C001",
        booked_on=date(2026, 11, 2),
        amount=Decimal(amount),
        allocations=(allocation,),
    )


def _open(erp: CsvErpGateway, invoice: str) -> Decimal:
    return next(i.open_amount for i in erp.fetch_invoices() if i.invoice_id == invoice)


def test_rows_appended_by_another_gateway_are_seen_after_our_own(root: Path) -> None:
    a, b = _gateway(root), _gateway(root)
    a.post_application(_app("TX1", "INV-1001", "100.00"))
    b.post_application(_app("TX2", "INV-1002", "400.00"))  # b read a's row, then appended
    a.post_application(_app("TX3", "INV-1001", "50.00"))  # a reads only b's row

    again = [
        g.post_application(_app(tx, inv, amt))
        for g, tx, inv, amt in (
            (a, "TX2", "INV-1002", "400.00"),
            (b, "TX3", "INV-1001", "50.00"),
            (b, "TX1", "INV-1001", "100.00"),
        )
    ]

    assert {r.outcome for r in again} == {PostOutcome.ALREADY_POSTED}
    assert _open(a, "INV-1001") == _open(b, "INV-1001") == _open(_gateway(root), "INV-1001")
    assert _open(a, "INV-1002") == Decimal("80.50")  # 480.50 less b's 400.00


def test_a_torn_row_left_by_another_process_is_not_counted_then_cut_off(root: Path) -> None:
    a, b = _gateway(root), _gateway(root)
    a.post_application(_app("TX1", "INV-1001", "100.00"))
    path = root / "out" / "applications.csv"
    with path.open("a", encoding="utf-8") as fh:
        fh.write("TX2,INV-1002,C001,400.00,0,,2026-11")  # b died mid-write

    assert _open(a, "INV-1002") == Decimal("480.50")  # the torn row is not posted
    result = a.post_application(_app("TX2", "INV-1002", "400.00"))

    assert result.outcome is PostOutcome.POSTED
    assert _open(b, "INV-1002") == _open(a, "INV-1002") == Decimal("80.50")
    assert len(path.read_text(encoding="utf-8").splitlines()) == 3


def test_a_rewritten_shorter_file_is_read_again_from_the_start(root: Path) -> None:
    a = _gateway(root)
    a.post_application(_app("TX1", "INV-1001", "100.00"))
    a.post_application(_app("TX2", "INV-1002", "400.00"))
    path = root / "out" / "applications.csv"
    header, first, _second = path.read_text(encoding="utf-8").splitlines()
    path.write_text(f"{header}\n{first}\n", encoding="utf-8")  # someone undid TX2 by hand

    assert a.post_application(_app("TX2", "INV-1002", "400.00")).outcome is PostOutcome.POSTED


def test_a_bad_amount_appended_by_another_process_names_its_line(root: Path) -> None:
    a = _gateway(root)
    a.post_application(_app("TX1", "INV-1001", "100.00"))
    path = root / "out" / "applications.csv"
    with path.open("a", encoding="utf-8") as fh:
        fh.write("TX2,INV-1002,C001,lots,0,,2026-11-23T09:30:00+00:00\n")

    with pytest.raises(PermanentConnectorError, match=r"applications.csv:3.*amount"):
        a.fetch_invoices()
