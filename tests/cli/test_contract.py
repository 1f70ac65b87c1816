"""The file-based quickstart of CONTRACT.md, driven through the real CLI."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from arbridge.cli import cli

APPLICATIONS_HEADER = [
    "bank_transaction_id",
    "invoice_id",
    "customer_id",
    "amount",
    "adjustment",
    "adjustment_reason",
    "applied_at",
]
REVIEW_COLUMNS = {
    "item_id",
    "bank_transaction_id",
    "reason",
    "amount",
    "customer_id",
    "suggested_invoice_ids",
}


def _run(config: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _applications(data: Path) -> list[dict[str, str]]:
    with (data / "out" / "applications.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == APPLICATIONS_HEADER
        return list(reader)


def _review(config: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_run(config, "review", "list", "--format", "csv"))))


def test_run_once_applies_exact_matches_and_writes_contract_rows(
    contract_data_any_store: Path,
) -> None:
    contract_data = contract_data_any_store
    _run(contract_data / "arbridge.yaml", "run", "--once")

    rows = _applications(contract_data)
    applied = {(r["bank_transaction_id"], r["invoice_id"]): r for r in rows}
    assert set(applied) == {
        ("TX0001", "INV-1001"),
        ("TX0002", "INV-1003"),
        ("TX0002", "INV-1004"),
        ("TX0003", "INV-1005"),  # `inv 1005`: mangled reference
        ("TX0004", "INV-1010"),
        ("TX0008", "INV-1002"),  # part payment of the one invoice it names
        ("TX0009", "INV-1009"),  # overpayment: invoice closed ...
        ("TX0009", ""),  # ... and the rest left as unapplied credit
        ("TX0011", "INV-1006"),
    }
    assert applied["TX0002", "INV-1004"]["amount"] == "315.25"
    assert applied["TX0002", "INV-1004"]["customer_id"] == "C002"
    assert applied["TX0008", "INV-1002"]["amount"] == "400.00"
    assert applied["TX0009", "INV-1009"]["amount"] == "430.00"
    assert applied["TX0009", ""]["amount"] == "70.00"
    assert applied["TX0009", ""]["customer_id"] == "C005"
    assert {r["adjustment"] for r in rows} == {"0"}
    assert all(r["applied_at"].endswith("+00:00") for r in rows)


def test_review_list_csv_has_contract_columns_and_every_exception(
    contract_data_any_store: Path,
) -> None:
    contract_data = contract_data_any_store
    config = contract_data / "arbridge.yaml"
    _run(config, "run", "--once")

    items = _review(config)

    assert set(items[0]) >= REVIEW_COLUMNS
    by_tx = {i["bank_transaction_id"]: i for i in items}
    assert by_tx["TX0006"]["reason"] == "duplicate_payment"
    assert by_tx["TX0005"]["suggested_invoice_ids"] == "INV-1007 INV-1008"
    assert by_tx["TX0010"]["suggested_invoice_ids"] == ""
    assert by_tx["TX0012"]["reason"] == "non_ar_credit"
    assert by_tx["TX0010"]["reason"] == "unidentified_payer"
    assert "TX0007" not in by_tx  # a debit is kept, not queued
    assert "TX0001" not in by_tx


def test_every_credit_is_applied_or_queued(contract_data_any_store: Path) -> None:
    contract_data = contract_data_any_store
    config = contract_data / "arbridge.yaml"
    _run(config, "run", "--once")

    with (contract_data / "bank" / "statement-2026-11.csv").open(encoding="utf-8") as fh:
        credits = {
            r["Transaction ID"] for r in csv.DictReader(fh) if not r["Amount"].startswith("-")
        }
    applied = {r["bank_transaction_id"] for r in _applications(contract_data)}
    queued = {i["bank_transaction_id"] for i in _review(config)}
    assert credits == applied | queued
    assert not applied & queued


def test_rerun_on_same_inputs_adds_nothing(contract_data_any_store: Path) -> None:
    contract_data = contract_data_any_store
    config = contract_data / "arbridge.yaml"
    _run(config, "run", "--once")
    first_apps = (contract_data / "out" / "applications.csv").read_bytes()
    first_review = _review(config)

    _run(config, "run", "--once")

    assert (contract_data / "out" / "applications.csv").read_bytes() == first_apps
    assert _review(config) == first_review


def test_new_statement_later_is_applied_without_touching_earlier_rows(
    contract_data_any_store: Path,
) -> None:
    contract_data = contract_data_any_store
    config = contract_data / "arbridge.yaml"
    _run(config, "run", "--once")
    before = (contract_data / "out" / "applications.csv").read_text(encoding="utf-8")
    (contract_data / "bank" / "later.csv").write_text(
        "Date,Description,Amount,Transaction ID\n"
        "11/20/2026,ACME INDUSTRIAL SUPPLY INV-1001 INV-1001 dup id in text,1.00,TX0100\n"
        "11/20/2026,DELTA HARBOR INV-1007,760.00,TX0101\n",
        encoding="utf-8",
    )

    _run(config, "run", "--once")

    after = (contract_data / "out" / "applications.csv").read_text(encoding="utf-8")
    assert after.startswith(before)
    new_rows = list(csv.DictReader(io.StringIO(after)))[len(_rows(before)) :]
    assert [(r["bank_transaction_id"], r["invoice_id"]) for r in new_rows] == [
        ("TX0101", "INV-1007")
    ]


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_review_resolve_from_the_terminal_posts_once_on_the_next_cycle(
    contract_data_any_store: Path,
) -> None:
    contract_data = contract_data_any_store
    config = contract_data / "arbridge.yaml"
    _run(config, "run", "--once")
    item = next(i for i in _review(config) if i["bank_transaction_id"] == "TX0005")

    out = _run(
        config,
        "review",
        "resolve",
        item["item_id"],
        "--invoice",
        "INV-1007:400.00",
        "--invoice",
        "INV-1008:360.00",
        "--as",
        "alice",
    )
    _run(config, "run", "--once")
    _run(config, "run", "--once")

    assert f"item {item['item_id']} resolved" in out
    rows = [
        (r["bank_transaction_id"], r["invoice_id"], r["amount"])
        for r in _applications(contract_data)
    ]
    assert rows.count(("TX0005", "INV-1007", "400.00")) == 1
    assert rows.count(("TX0005", "INV-1008", "360.00")) == 1
    assert "TX0005" not in {i["bank_transaction_id"] for i in _review(config)}
