"""Stripe's itemized payout reconciliation report: read by header name, refused whole when wrong."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from arbridge.connectors.settlement import read_stripe_report
from arbridge.domain.errors import BadInputError
from arbridge.domain.settlements import Payout, SettlementCategory
from tests.connectors.settlement.stripe_files import COLUMNS, row, write


def _read(path: Path) -> list[Payout]:
    return read_stripe_report(str(path), path.read_bytes())


def test_payouts_are_grouped_with_their_transactions_and_nets(tmp_path: Path) -> None:
    """Rows group by payout; amounts are major units; the invoice comes from payment metadata."""
    path = write(
        tmp_path / "r.csv",
        [
            row(
                "po_A",
                "txn_1",
                "125.00",
                "3.93",
                **{"payment_metadata[invoice_number]": "INV-1001", "customer_name": "Acme Supply"},
            ),
            row(
                "po_A", "txn_2", "-20.00", "0.00", category="refund", description="REFUND FOR ch_9"
            ),
            row(
                "po_B",
                "txn_3",
                "50.00",
                "1.75",
                description="Invoice 1002",
                effective="2026-11-04T00:00:00Z",
            ),
        ],
    )
    a, b = _read(path)
    assert (a.payout_id, a.net, a.effective_on.isoformat()) == (
        "po_A",
        Decimal("101.07"),
        "2026-11-03",
    )
    assert a.items[0].reference == "INV-1001"
    assert a.items[0].customer_name == "Acme Supply"
    assert a.items[1].category is SettlementCategory.REFUND
    assert (b.payout_id, b.net, b.items[0].description) == (
        "po_B",
        Decimal("48.25"),
        "Invoice 1002",
    )
    assert a.currency == "USD"


def test_columns_in_any_order_with_extras_are_read_by_name(tmp_path: Path) -> None:
    """Reordered columns and unknown extra columns change nothing."""
    shuffled = (*reversed(COLUMNS), "payment_metadata[channel]", "connected_account_id")
    path = write(
        tmp_path / "r.csv",
        [row("po_A", "txn_1", "10.00", "0.59", **{"payment_metadata[channel]": "web"})],
        shuffled,
    )
    (payout,) = _read(path)
    assert payout.items[0].net == Decimal("9.41")


def test_a_stated_payout_row_is_checked_not_applied(tmp_path: Path) -> None:
    """A `payout` row states the payout's amount; a report that does not add up is refused."""
    good = write(
        tmp_path / "g.csv",
        [
            row("po_A", "txn_1", "10.00", "0.59"),
            row("po_A", "txn_p", "-9.41", "0.00", category="payout"),
        ],
    )
    (payout,) = _read(good)
    assert [i.item_id for i in payout.items] == ["txn_1"]
    bad = write(
        tmp_path / "b.csv",
        [
            row("po_A", "txn_1", "10.00", "0.59"),
            row("po_A", "txn_p", "-9.50", "0.00", category="payout"),
        ],
    )
    with pytest.raises(
        BadInputError,
        match=r"b\.csv:3, field 'net'.*po_A is 9\.50 but its transactions add up to 9\.41",
    ):
        _read(bad)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [row("po_A", "txn_1", "10.00", "0.59", net="9.50")],
            r"r\.csv:2, field 'net'.*not gross 10\.00 less fee 0\.59",
        ),
        (
            [
                row("po_A", "txn_1", "10.00", "0.59"),
                row("po_A", "txn_2", "5.00", "0.10", currency="eur"),
            ],
            r"r\.csv:3, field 'currency'.*po_A mixes currencies: USD \(line 2\) and EUR",
        ),
        (
            [row("po_A", "txn_1", "10.00", "0.59"), row("po_B", "txn_1", "10.00", "0.59")],
            r"r\.csv:3, field 'balance_transaction_id'.*txn_1 is reported twice",
        ),
        (
            [row("po_A", "txn_1", "ten", "0.59", net="9.41")],
            r"r\.csv:2, field 'gross', value 'ten'.*not an amount",
        ),
        (
            [row("po_A", "txn_1", "10.005", "0.59", net="9.41")],
            r"r\.csv:2, field 'gross'.*whole cents",
        ),
        (
            [row("po_A", "txn_1", "10.00", "0.59", effective="soon")],
            r"r\.csv:2, field 'automatic_payout_effective_at'",
        ),
        ([row("", "txn_1", "10.00", "0.59")], r"r\.csv:2, field 'automatic_payout_id'.*no payout"),
    ],
)
def test_bad_reports_are_refused_naming_file_line_and_field(
    tmp_path: Path, rows: list[dict[str, str]], expected: str
) -> None:
    """Every bad row stops the whole report with where and why."""
    with pytest.raises(BadInputError, match=expected):
        _read(write(tmp_path / "r.csv", rows))


def test_a_file_that_is_not_the_report_is_refused(tmp_path: Path) -> None:
    """Another CSV (a bank statement, say) is named for what it lacks."""
    path = tmp_path / "bank.csv"
    path.write_text(
        "Date,Description,Amount\n11/03/2026,STRIPE TRANSFER,100.00\n", encoding="utf-8"
    )
    with pytest.raises(BadInputError, match="no column automatic_payout_id"):
        _read(path)
