"""The contract's csv ERP: reads exports strictly, appends each row exactly once."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from arbridge.connectors.base import PostOutcome
from arbridge.connectors.erp import CsvErpGateway
from arbridge.connectors.errors import PermanentConnectorError
from arbridge.domain.errors import BadInputError
from arbridge.domain.records import Allocation, Application
from tests.conftest import DEMO


@pytest.fixture
def erp(tmp_path: Path) -> CsvErpGateway:
    shutil.copytree(DEMO / "erp", tmp_path / "erp")
    return CsvErpGateway(
        name="books",
        customers=tmp_path / "erp" / "customers.csv",
        invoices=tmp_path / "erp" / "invoices.csv",
        applications=tmp_path / "out" / "applications.csv",
        clock=lambda: datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
    )


def _app(bank_id: str, *allocs: tuple[str | None, str]) -> Application:
    allocations = tuple(
        Allocation(invoice_id=inv, customer_id="C001", amount=Decimal(amt)) for inv, amt in allocs
    )
    return Application(
        idempotency_key=f"operating:{bank_id}",
        bank_account="operating",
        bank_id=bank_id,
        customer_id="C001",
        booked_on=date(2026, 11, 2),
        amount=sum((a.amount for a in allocations), Decimal(0)),
        allocations=allocations,
    )


def _lines(erp: CsvErpGateway, tmp_path: Path) -> list[str]:
    return (tmp_path / "out" / "applications.csv").read_text(encoding="utf-8").splitlines()


def test_reads_customers_and_invoices_with_money_and_parents(erp: CsvErpGateway) -> None:
    customers = {c.customer_id: c for c in erp.fetch_customers()}
    invoices = {i.invoice_id: i for i in erp.fetch_invoices()}

    assert customers["C005"].parent_id == "C004"
    assert invoices["INV-1010"].amount == Decimal("3000.00")
    assert invoices["INV-1010"].open_amount == Decimal("1500.00")
    assert invoices["INV-1003"].terms == "2/10 NET30"


def test_posting_twice_writes_each_row_once(erp: CsvErpGateway, tmp_path: Path) -> None:
    app = _app("TX1", ("INV-1001", "1250.00"), (None, "10.00"))

    first = erp.post_application(app)
    second = erp.post_application(app)

    assert (first.outcome, second.outcome) == (PostOutcome.POSTED, PostOutcome.ALREADY_POSTED)
    assert _lines(erp, tmp_path) == [
        "bank_transaction_id,invoice_id,customer_id,amount,adjustment,adjustment_reason,applied_at",
        "TX1,INV-1001,C001,1250.00,0,,2026-11-23T09:30:00+00:00",
        "TX1,,C001,10.00,0,,2026-11-23T09:30:00+00:00",
    ]


def test_open_amounts_net_out_rows_already_written(erp: CsvErpGateway) -> None:
    erp.post_application(_app("TX1", ("INV-1002", "400.00")))

    invoices = {i.invoice_id: i for i in erp.fetch_invoices()}

    assert invoices["INV-1002"].open_amount == Decimal("80.50")


def test_a_fresh_gateway_sees_rows_written_before_a_restart(
    erp: CsvErpGateway, tmp_path: Path
) -> None:
    erp.post_application(_app("TX1", ("INV-1001", "1250.00")))
    restarted = CsvErpGateway(
        name="books",
        customers=tmp_path / "erp" / "customers.csv",
        invoices=tmp_path / "erp" / "invoices.csv",
        applications=tmp_path / "out" / "applications.csv",
    )

    result = restarted.post_application(_app("TX1", ("INV-1001", "1250.00")))

    assert result.outcome is PostOutcome.ALREADY_POSTED


def test_a_torn_last_row_from_a_crash_is_replaced_not_kept(
    erp: CsvErpGateway, tmp_path: Path
) -> None:
    erp.post_application(_app("TX1", ("INV-1001", "1250.00")))
    path = tmp_path / "out" / "applications.csv"
    with path.open("a", encoding="utf-8") as fh:
        fh.write("TX2,INV-1002,C001,48")  # the process died mid-write

    erp.post_application(_app("TX2", ("INV-1002", "480.50")))

    rows = _lines(erp, tmp_path)
    assert rows[-1].startswith("TX2,INV-1002,C001,480.50,0,,")
    assert len(rows) == 3


def test_bad_invoice_export_names_file_line_and_field(erp: CsvErpGateway, tmp_path: Path) -> None:
    path = tmp_path / "erp" / "invoices.csv"
    text = path.read_text(encoding="utf-8").replace("2026-10-05", "10/05/2026", 1)
    path.write_text(text.replace("2000.00,2000.00", "2000.00,2OOO.00", 1), encoding="utf-8")

    with pytest.raises(PermanentConnectorError) as info:
        erp.fetch_invoices()

    cause = info.value.__cause__
    assert isinstance(cause, BadInputError)
    found = [(loc.line, loc.field, loc.value) for loc in cause.locations]
    assert found == [(3, "invoice_date", "10/05/2026"), (4, "open_amount", "2OOO.00")]
    assert f"{path}:3, field 'invoice_date'" in str(info.value)


def test_missing_export_is_a_permanent_connector_error(erp: CsvErpGateway, tmp_path: Path) -> None:
    (tmp_path / "erp" / "customers.csv").unlink()

    with pytest.raises(PermanentConnectorError, match=r"customers\.csv does not exist"):
        erp.fetch_customers()


def test_a_torn_row_that_reached_its_timestamp_is_still_not_counted_as_posted(
    erp: CsvErpGateway, tmp_path: Path
) -> None:
    erp.post_application(_app("TX1", ("INV-1001", "1250.00")))
    path = tmp_path / "out" / "applications.csv"
    with path.open("a", encoding="utf-8") as fh:
        fh.write("TX2,INV-1002,C001,480.50,0,,2026-11-23T09:3")  # died before the newline

    result = erp.post_application(_app("TX2", ("INV-1002", "480.50")))

    assert result.outcome is PostOutcome.POSTED
    assert _lines(erp, tmp_path)[-1] == "TX2,INV-1002,C001,480.50,0,,2026-11-23T09:30:00+00:00"


def test_a_batch_is_one_durable_append_that_skips_rows_already_written(
    erp: CsvErpGateway, tmp_path: Path
) -> None:
    erp.post_application(_app("TX1", ("INV-1001", "1250.00")))
    batch = [
        _app("TX1", ("INV-1001", "1250.00")),
        _app("TX2", ("INV-1002", "480.50"), (None, "5.00")),
        _app("TX2", ("INV-1002", "480.50"), (None, "5.00")),  # the same twice in one batch
    ]

    results = erp.post_applications(batch)

    assert [getattr(r, "outcome", None) for r in results] == [
        PostOutcome.ALREADY_POSTED,
        PostOutcome.POSTED,
        PostOutcome.ALREADY_POSTED,
    ]
    assert [line.split(",")[:2] for line in _lines(erp, tmp_path)[1:]] == [
        ["TX1", "INV-1001"],
        ["TX2", "INV-1002"],
        ["TX2", ""],
    ]


def test_adjustments_are_written_and_close_the_invoice(erp: CsvErpGateway, tmp_path: Path) -> None:
    allocations = (
        Allocation(
            invoice_id="INV-1003",
            customer_id="C002",
            amount=Decimal("1960.00"),
            adjustment=Decimal("40.00"),
            adjustment_reason="discount",
        ),
        Allocation(
            invoice_id="INV-1004",
            customer_id="C002",
            amount=Decimal("300.25"),
            adjustment=Decimal("15.00"),
            adjustment_reason="bank_fee",
        ),
    )
    app = Application(
        idempotency_key="operating:TX9",
        bank_account="operating",
        bank_id="TX9",
        customer_id="C002",
        booked_on=date(2026, 11, 8),
        amount=Decimal("2260.25"),
        allocations=allocations,
    )

    erp.post_application(app)

    assert _lines(erp, tmp_path)[1:] == [
        "TX9,INV-1003,C002,1960.00,40.00,discount,2026-11-23T09:30:00+00:00",
        "TX9,INV-1004,C002,300.25,15.00,bank_fee,2026-11-23T09:30:00+00:00",
    ]
    invoices = {i.invoice_id: i for i in erp.fetch_invoices()}
    assert invoices["INV-1003"].open_amount == Decimal("0.00")
    assert invoices["INV-1004"].open_amount == Decimal("0.00")
