"""Deposit cash through the real cycle on the csv ERP: applied, held, then on the final invoice."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from click.testing import CliRunner

from arbridge.cli import cli
from bench.datasets import CONTRACT_CONFIG

HEADER = [
    "invoice_id",
    "customer_id",
    "invoice_date",
    "due_date",
    "amount",
    "open_amount",
    "currency",
    "terms",
    "po_number",
    "kind",
    "order_ref",
]
BOOKS = [
    ("DP-100", "C001", "2026-10-01", "500.00", "deposit", "SO-7"),
    ("INV-300", "C001", "2026-10-02", "250.00", "", ""),
    ("P-201", "C002", "2026-10-20", "10000.00", "progress", "PRJ-9"),
]
FINAL = ("F-700", "C001", "2026-11-20", "4000.00", "final", "SO-7")
BANK_HEADER = ["Date", "Description", "Amount", "Transaction ID"]


def _write(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _invoices(root: Path, rows: Sequence[tuple[str, ...]]) -> None:
    full = [(n, c, d, d, a, a, "USD", "NET30", "", k, o) for n, c, d, a, k, o in rows]
    _write(root / "erp" / "invoices.csv", HEADER, full)


def _books(root: Path, bank: Sequence[tuple[str, ...]], *, extra_yaml: str = "") -> Path:
    _write(
        root / "erp" / "customers.csv",
        ["customer_id", "name", "parent_id", "terms", "currency"],
        [
            ("C001", "Acme Industrial Supply", "", "NET30", "USD"),
            ("C002", "Brightwater Foods", "", "NET30", "USD"),
        ],
    )
    _invoices(root, BOOKS)
    _write(root / "bank" / "statement.csv", BANK_HEADER, bank)
    config = root / "arbridge.yaml"
    config.write_text(CONTRACT_CONFIG.format(data=root) + extra_yaml, encoding="utf-8")
    return config


def _cli(config: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(config), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _applied(root: Path) -> list[tuple[str, str, str]]:
    path = root / "out" / "applications.csv"
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            (r["bank_transaction_id"], r["invoice_id"], r["amount"]) for r in csv.DictReader(handle)
        ]


def _review(config: Path) -> dict[str, dict[str, str]]:
    rows = _csv(_cli(config, "review", "list", "--format", "csv"))
    return {r["bank_transaction_id"]: r for r in rows}


HOLD = "deposits:\n  on_receipt: hold\n"


def test_a_down_payment_naming_its_order_pays_the_orders_deposit_invoice(tmp_path: Path) -> None:
    config = _books(tmp_path, [("10/05/2026", "ACME IND WIRE DOWN PAYMENT SO 7", "500.00", "TX1")])
    _cli(config, "run", "--once")

    assert _applied(tmp_path) == [("TX1", "DP-100", "500.00")]
    assert "TX1" not in _review(config)


def test_held_deposit_waits_then_goes_to_the_final_invoice_once(tmp_path: Path) -> None:
    config = _books(
        tmp_path, [("10/05/2026", "ACME INDUSTRIAL DEPOSIT SO-7", "500.00", "TX1")], extra_yaml=HOLD
    )
    _cli(config, "run", "--once")

    assert _applied(tmp_path) == []
    item = _review(config)["TX1"]
    assert (item["reason"], item["customer_id"], item["amount"]) == (
        "deposit_received",
        "C001",
        "500.00",
    )
    listed = [
        r
        for r in _csv(_cli(config, "deposits", "--as-of", "2026-11-30"))
        if r["bank_transaction_id"]
    ]
    assert [
        (r["customer_id"], r["order_ref"], r["held"], r["age_days"], r["status"]) for r in listed
    ] == [("C001", "SO-7", "500.00", "56", "overdue")]
    early = _csv(_cli(config, "deposits", "--as-of", "2026-10-20"))
    assert [r["status"] for r in early if r["bank_transaction_id"] == "TX1"] == ["waiting"]

    _invoices(tmp_path, [*BOOKS, FINAL])
    _cli(config, "run", "--once")
    _cli(config, "run", "--once")

    assert _applied(tmp_path) == [("TX1", "F-700", "500.00")]
    assert "TX1" not in _review(config)
    assert not [
        r
        for r in _csv(_cli(config, "deposits", "--as-of", "2026-11-30"))
        if r["bank_transaction_id"]
    ]


def test_a_retainer_for_a_project_with_no_deposit_invoice_is_held(tmp_path: Path) -> None:
    config = _books(tmp_path, [("10/22/2026", "BRIGHTWATER RETAINER PRJ-9", "2000.00", "TX2")])
    _cli(config, "run", "--once")

    assert _applied(tmp_path) == []
    assert _review(config)["TX2"]["reason"] == "deposit_received"


def test_two_final_invoices_leave_the_deposit_to_a_person(tmp_path: Path) -> None:
    config = _books(
        tmp_path, [("10/05/2026", "ACME INDUSTRIAL DEPOSIT SO-7", "500.00", "TX1")], extra_yaml=HOLD
    )
    _cli(config, "run", "--once")
    second = ("F-701", "C001", "2026-11-21", "900.00", "final", "SO-7")
    _invoices(tmp_path, [*BOOKS, FINAL, second])
    _cli(config, "run", "--once")

    assert _applied(tmp_path) == []
    item = _review(config)["TX1"]
    assert item["reason"] == "deposit_final_choice"
    assert item["suggested_invoice_ids"].split() == ["F-700", "F-701"]
    listed = _csv(_cli(config, "deposits", "--as-of", "2026-11-30"))
    assert [r["status"] for r in listed if r["bank_transaction_id"] == "TX1"] == ["to_choose"]


def test_bank_text_that_says_deposit_without_an_order_is_matched_as_before(
    tmp_path: Path,
) -> None:
    config = _books(
        tmp_path, [("10/05/2026", "MOBILE DEPOSIT ACME INDUSTRIAL INV-300", "250.00", "TX3")]
    )
    _cli(config, "run", "--once")

    assert _applied(tmp_path) == [("TX3", "INV-300", "250.00")]


def test_the_quickstart_without_the_new_columns_holds_nothing(contract_data: Path) -> None:
    config = contract_data / "arbridge.yaml"
    _cli(config, "run", "--once")

    reasons = {r["reason"] for r in _review(config).values()}
    assert not reasons & {"deposit_received", "deposit_final_choice"}


def test_cash_equal_to_the_agreed_deposit_is_held_for_its_order(tmp_path: Path) -> None:
    config = _books(
        tmp_path, [("10/05/2026", "ACME INDUSTRIAL SUPPLY ACH", "500.00", "TX4")], extra_yaml=HOLD
    )
    _cli(config, "run", "--once")

    assert _applied(tmp_path) == []
    item = _review(config)["TX4"]
    assert (item["reason"], item["customer_id"]) == ("deposit_received", "C001")
