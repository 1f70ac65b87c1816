"""Processor payouts end to end through the CLI: CONTRACT.md §9 on the file quickstart."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from arbridge.cli import cli
from bench.datasets import CONTRACT_CONFIG
from tests.connectors.settlement.stripe_files import COLUMNS, row, write

SETTLEMENTS = """\
  settlements:
    - name: stripe
      kind: stripe_report
      path: {data}/settlements
"""
DAY = datetime.now(UTC).date() - timedelta(days=1)
EFFECTIVE = f"{DAY.isoformat()} 00:00:00"
CUSTOMERS = [
    ("C1", "Acme Supply"),
    ("C2", "Beta Corp"),
    ("C3", "Gamma Tools"),
]
INVOICES = [
    ("INV-1001", "C1", "125.00"),
    ("INV-1002", "C2", "50.00"),
    ("INV-1003", "C3", "80.00"),
    ("INV-1004", "C1", "300.00"),
]


def _run(config: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _bank(data: Path, name: str, lines: list[tuple[str, str, str]]) -> None:
    with (data / "bank" / name).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Date", "Description", "Amount", "Transaction ID"])
        for tx, text, amount in lines:
            writer.writerow([DAY.strftime("%m/%d/%Y"), text, amount, tx])


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """The quickstart layout with a settlements folder and its config."""
    (tmp_path / "erp").mkdir()
    (tmp_path / "bank").mkdir()
    (tmp_path / "settlements").mkdir()
    with (tmp_path / "erp" / "customers.csv").open("w", encoding="utf-8") as fh:
        fh.write("customer_id,name,parent_id,terms,currency\n")
        fh.writelines(f"{cid},{name},,NET30,USD\n" for cid, name in CUSTOMERS)
    with (tmp_path / "erp" / "invoices.csv").open("w", encoding="utf-8") as fh:
        fh.write(
            "invoice_id,customer_id,invoice_date,due_date,amount,open_amount,currency,terms,po_number\n"
        )
        due = DAY + timedelta(days=20)
        fh.writelines(
            f"{i},{c},{DAY - timedelta(days=10)},{due},{a},{a},USD,NET30,\n" for i, c, a in INVOICES
        )
    config = CONTRACT_CONFIG.format(data=tmp_path) + SETTLEMENTS.format(data=tmp_path)
    (tmp_path / "arbridge.yaml").write_text(config, encoding="utf-8")
    return tmp_path


def _applications(data: Path) -> list[dict[str, str]]:
    path = data / "out" / "applications.csv"
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _review(data: Path) -> list[dict[str, str]]:
    out = _run(data / "arbridge.yaml", "review", "list", "--format", "csv")
    return list(csv.DictReader(io.StringIO(out)))


def _clean_payout(data: Path) -> None:
    write(
        data / "settlements" / "payouts.csv",
        [
            row(
                "po_A",
                "txn_1",
                "125.00",
                "3.93",
                effective=EFFECTIVE,
                customer_name="Acme Supply",
                **{"payment_metadata[invoice_number]": "INV-1001"},
            ),
            row(
                "po_A",
                "txn_2",
                "50.00",
                "1.75",
                effective=EFFECTIVE,
                customer_name="Beta Corp",
                description="Invoice inv 1002",
            ),
        ],
    )


def test_a_payout_applies_one_row_per_invoice_net_of_fees(data: Path) -> None:
    """§9: cash = the charge's net, adjustment = its fee, and the rows sum to the bank line."""
    _clean_payout(data)
    _bank(
        data,
        "b.csv",
        [("TX1", "STRIPE TRANSFER ST-K2M9", "169.32"), ("TX2", "ACME SUPPLY INV-1004", "300.00")],
    )
    _run(data / "arbridge.yaml", "run", "--once")
    rows = {(r["bank_transaction_id"], r["invoice_id"]): r for r in _applications(data)}
    assert set(rows) == {("TX1", "INV-1001"), ("TX1", "INV-1002"), ("TX2", "INV-1004")}
    first, second = rows["TX1", "INV-1001"], rows["TX1", "INV-1002"]
    assert (
        first["customer_id"],
        first["amount"],
        first["adjustment"],
        first["adjustment_reason"],
    ) == ("C1", "121.07", "3.93", "processor_fee")
    assert (second["customer_id"], second["amount"], second["adjustment"]) == (
        "C2",
        "48.25",
        "1.75",
    )
    assert Decimal(first["amount"]) + Decimal(second["amount"]) == Decimal("169.32")
    assert _review(data) == []
    _run(data / "arbridge.yaml", "run", "--once")
    assert len(_applications(data)) == 3


def test_refunds_and_unplaceable_charges_go_to_review_with_the_rest_applied(data: Path) -> None:
    """The placeable charge is applied; the refund and the unknown charge are one review item."""
    write(
        data / "settlements" / "r.csv",
        [
            row(
                "po_B",
                "txn_3",
                "80.00",
                "2.62",
                effective=EFFECTIVE,
                customer_name="Gamma Tools",
                **{"payment_metadata[invoice_number]": "INV-1003"},
            ),
            row(
                "po_B",
                "txn_4",
                "40.00",
                "1.46",
                effective=EFFECTIVE,
                customer_name="Walk-in Person",
                description="gift card",
            ),
            row(
                "po_B",
                "txn_5",
                "-20.00",
                "0.00",
                category="refund",
                effective=EFFECTIVE,
                description="REFUND",
            ),
        ],
    )
    _bank(data, "b.csv", [("TX3", "STRIPE PAYOUT", "95.92")])
    _run(data / "arbridge.yaml", "run", "--once")
    rows = _applications(data)
    assert [(r["invoice_id"], r["amount"], r["adjustment"]) for r in rows] == [
        ("INV-1003", "77.38", "2.62")
    ]
    (item,) = _review(data)
    assert (item["bank_transaction_id"], item["reason"], item["amount"]) == (
        "TX3",
        "payout_exception",
        "18.54",
    )


def test_a_refund_netted_out_of_the_payout_still_lets_every_charge_be_applied(data: Path) -> None:
    """Charges add up to more than the deposit by the refund: all applied, the refund queued."""
    _clean_payout(data)
    refund = row("po_A", "txn_r", "-30.00", "0.00", category="refund", effective=EFFECTIVE)
    with (data / "settlements" / "payouts.csv").open("a", newline="", encoding="utf-8") as fh:
        csv.DictWriter(fh, fieldnames=list(COLUMNS), extrasaction="ignore").writerow(refund)
    _bank(data, "b.csv", [("TX1", "STRIPE TRANSFER", "139.32")])
    _run(data / "arbridge.yaml", "run", "--once")
    rows = _applications(data)
    assert sorted((r["invoice_id"], r["amount"]) for r in rows) == [
        ("INV-1001", "121.07"),
        ("INV-1002", "48.25"),
    ]
    (item,) = _review(data)
    assert (item["bank_transaction_id"], item["reason"], item["amount"]) == (
        "TX1",
        "payout_exception",
        "30.00",
    )
    assert "txn_r refund -30.00" in _run(data / "arbridge.yaml", "review", "show", item["item_id"])
    audit = CliRunner().invoke(cli, ["--config", str(data / "arbridge.yaml"), "audit"])
    assert audit.exit_code == 0, audit.output


def test_a_bad_report_applies_nothing_and_the_deposit_waits_for_a_good_one(data: Path) -> None:
    """A report that does not add up is quarantined whole; the deposit is not queued as unknown cash."""
    bad = [row("po_A", "txn_1", "125.00", "3.93", effective=EFFECTIVE, net="120.00")]
    write(data / "settlements" / "bad.csv", bad)
    _bank(data, "b.csv", [("TX1", "STRIPE TRANSFER", "169.32")])
    _run(data / "arbridge.yaml", "run", "--once")
    assert _applications(data) == []
    (item,) = _review(data)
    assert item["reason"] == "quarantined_file"
    _clean_payout(data)
    _run(data / "arbridge.yaml", "run", "--once")
    assert {r["invoice_id"] for r in _applications(data)} == {"INV-1001", "INV-1002"}


def test_an_overlapping_report_creates_nothing_twice(data: Path) -> None:
    """The same payout in a second report is known already; a different one is refused."""
    _clean_payout(data)
    _run(data / "arbridge.yaml", "run", "--once")
    again = (data / "settlements" / "payouts.csv").read_bytes() + b""
    (data / "settlements" / "overlap.csv").write_bytes(
        again.replace(b"txn_2", b"txn_2").replace(b"\r\n", b"\n")
    )
    _bank(data, "b.csv", [("TX1", "STRIPE TRANSFER", "169.32")])
    _run(data / "arbridge.yaml", "run", "--once")
    assert len(_applications(data)) == 2
    assert _review(data) == []
    write(
        data / "settlements" / "changed.csv",
        [row("po_A", "txn_1", "125.00", "3.93", effective=EFFECTIVE)],
    )
    _run(data / "arbridge.yaml", "run", "--once")
    (item,) = _review(data)
    assert "po_A was reported before" in _run(
        data / "arbridge.yaml", "review", "show", item["item_id"]
    )


def test_the_clearing_account_explains_its_balance_payout_by_payout(data: Path) -> None:
    """A deposited payout nets to zero; one still in transit is the balance, named."""
    _clean_payout(data)
    write(
        data / "settlements" / "later.csv",
        [row("po_C", "txn_9", "10.00", "0.59", effective=EFFECTIVE)],
    )
    _bank(data, "b.csv", [("TX1", "STRIPE TRANSFER", "169.32")])
    _run(data / "arbridge.yaml", "run", "--once")
    out = _run(
        data / "arbridge.yaml",
        "clearing",
        "--processor",
        "stripe",
        "--as-of",
        DAY.isoformat(),
        "--format",
        "csv",
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["payout_id"], r["event"], r["amount"]) for r in rows] == [
        ("po_A", "reported", "169.32"),
        ("po_C", "reported", "9.41"),
        ("po_A", "deposited", "-169.32"),
    ]
    assert rows[-1]["in_transit"] == "9.41"
    table = _run(
        data / "arbridge.yaml", "clearing", "--processor", "stripe", "--as-of", DAY.isoformat()
    )
    assert "balance 9.41: 1 payout(s) not yet in the bank" in table
    assert "po_C" in table.splitlines()[-1]
