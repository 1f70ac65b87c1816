"""The csv ERP's optional invoice columns for commissions; absent columns change nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from arbridge.connectors.erp import CsvErpGateway
from arbridge.connectors.errors import PermanentConnectorError

HEADER = "invoice_id,customer_id,invoice_date,due_date,amount,open_amount,currency,terms,po_number"


def _gateway(tmp_path: Path, header: str, *rows: str) -> CsvErpGateway:
    invoices = tmp_path / "invoices.csv"
    invoices.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return CsvErpGateway(
        name="books",
        customers=tmp_path / "customers.csv",
        invoices=invoices,
        applications=tmp_path / "applications.csv",
    )


def test_the_optional_columns_are_read_when_present(tmp_path: Path) -> None:
    gateway = _gateway(
        tmp_path,
        HEADER + ",sales_rep,kind,approved,freight_amount",
        "I1,C1,2026-11-01,2026-11-30,100.00,100.00,USD,NET30,,R-EAST,service,yes,12.50",
        "I2,C1,2026-11-01,2026-11-30,100.00,100.00,USD,NET30,,,,,",
    )

    first, second = gateway.fetch_invoices()

    assert (first.sales_rep, first.kind, first.approved) == ("R-EAST", "service", True)
    assert first.freight_amount == Decimal("12.50")
    assert (second.sales_rep, second.kind, second.approved, second.freight_amount) == (
        None,
        None,
        None,
        None,
    )


def test_without_the_columns_invoices_carry_no_rep(tmp_path: Path) -> None:
    gateway = _gateway(tmp_path, HEADER, "I1,C1,2026-11-01,2026-11-30,100.00,100.00,USD,NET30,")

    [invoice] = gateway.fetch_invoices()

    assert invoice.sales_rep is None
    assert invoice.approved is None


def test_a_bad_approval_mark_names_file_line_and_field(tmp_path: Path) -> None:
    gateway = _gateway(
        tmp_path,
        HEADER + ",approved",
        "I1,C1,2026-11-01,2026-11-30,100.00,100.00,USD,NET30,,no",
        "I2,C1,2026-11-01,2026-11-30,100.00,100.00,USD,NET30,,maybe",
    )

    with pytest.raises(PermanentConnectorError) as caught:
        gateway.fetch_invoices()

    message = str(caught.value)
    assert "invoices.csv:3" in message
    assert "'approved'" in message
    assert "maybe" in message
