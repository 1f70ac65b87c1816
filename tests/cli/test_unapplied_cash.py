"""Cash people left on account in the csv ERP that plainly pays open invoices, end to end.

P-30 leaves Brightwater's 640.00 (bank line TX1020) on account while INV-2020 is open
for exactly 640.00; P-31 leaves 150.00 on account with a memo naming INV-2021, money
arbridge never saw at the bank; P-32 leaves 500.00 while two invoices are open for 500.00.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from arbridge.cli import cli
from tests.cli.test_recorded_payments import write_books

INVOICES = """INV-2020,C002,2026-10-20,2026-11-19,640.00,640.00,USD,NET30,
INV-2021,C002,2026-10-21,2026-11-20,150.00,150.00,USD,NET30,
INV-2022,C003,2026-10-22,2026-11-21,500.00,500.00,USD,NET30,
INV-2023,C003,2026-10-23,2026-11-22,500.00,500.00,USD,NET30,
"""
BANK = "11/10/2026,BRIGHTWATER FOODS,640.00,TX1020\n"
PAYMENTS = """P-30,C002,,640.00,2026-11-10,TX1020,
P-31,C002,,150.00,2026-11-11,,for INV-2021
P-32,C003,,500.00,2026-11-12,,
"""


@pytest.fixture
def data(tmp_path: Path, store_url: str) -> Path:
    data = write_books(tmp_path, store_url)
    for name, extra in (
        ("erp/invoices.csv", INVOICES),
        ("bank/statement.csv", BANK),
        ("erp/payments.csv", PAYMENTS),
    ):
        with (data / name).open("a", encoding="utf-8") as fh:
            fh.write(extra)
    _ok(data, "run", "--once")
    return data


def _invoke(data: Path, *args: str) -> Result:
    config = str(data / "arbridge.yaml")
    return CliRunner().invoke(cli, ["--config", config, *args], catch_exceptions=False)


def _ok(data: Path, *args: str) -> str:
    result = _invoke(data, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def _unapplied(data: Path) -> dict[str, dict[str, str]]:
    text = _ok(data, "review", "list", "--format", "csv")
    rows = csv.DictReader(text.splitlines())
    return {r["erp_payment_ids"]: r for r in rows if r["reason"] == "unapplied_cash"}


def _csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_cash_on_account_that_plainly_pays_an_invoice_is_suggested(data: Path) -> None:
    found = _unapplied(data)

    assert set(found) == {"P-30", "P-31"}  # P-32: two invoices of 500.00, not told apart
    assert found["P-30"]["bank_transaction_id"] == "TX1020"
    assert found["P-30"]["suggested_invoice_ids"] == "INV-2020"
    assert found["P-30"]["amount"] == "640.00"
    assert "INV-2020 is open for exactly 640.00" in found["P-30"]["message"]
    assert found["P-31"]["suggested_invoice_ids"] == "INV-2021"
    assert "names INV-2021" in found["P-31"]["message"]
    assert "apply it in the ERP" in found["P-31"]["message"]


def test_apply_is_one_command_through_the_money_door(data: Path) -> None:
    item = _unapplied(data)["P-30"]["item_id"]

    _ok(data, "review", "correct", item, "--reason", "apply the cash on account")
    _ok(data, "run", "--once")
    _ok(data, "run", "--once")

    reversals = _csv(data / "out" / "payment_reversals.csv")
    assert [(r["payment_id"], r["invoice_id"], r["amount"]) for r in reversals] == [
        ("P-30", "", "-640.00")
    ]
    applied = _csv(data / "out" / "applications.csv")
    assert [
        (r["invoice_id"], r["customer_id"], r["amount"])
        for r in applied
        if r["bank_transaction_id"] == "TX1020"
    ] == [("INV-2020", "C002", "640.00")]
    assert "P-30" not in _unapplied(data)


def test_a_dismissed_suggestion_returns_only_when_the_payment_changes(data: Path) -> None:
    item = _unapplied(data)["P-31"]["item_id"]
    _ok(data, "review", "dismiss", item, "--comment", "a deposit for the next order")
    _ok(data, "run", "--once")
    assert "P-31" not in _unapplied(data)

    payments = data / "erp" / "payments.csv"
    payments.write_text(
        payments.read_text(encoding="utf-8").replace("for INV-2021", "for INV-2021 and more"),
        encoding="utf-8",
    )
    _ok(data, "run", "--once")

    assert _unapplied(data)["P-31"]["item_id"] != item


def test_suggestions_below_min_confidence_are_not_queued(tmp_path: Path, store_url: str) -> None:
    data = write_books(tmp_path, store_url)
    for name, extra in (
        ("erp/invoices.csv", INVOICES),
        ("bank/statement.csv", BANK),
        ("erp/payments.csv", PAYMENTS),
    ):
        with (data / name).open("a", encoding="utf-8") as fh:
            fh.write(extra)
    config = data / "arbridge.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "misapplied:\n  min_confidence: 0.8\n",
        encoding="utf-8",
    )

    _ok(data, "run", "--once")

    assert set(_unapplied(data)) == {"P-31"}  # same amount only (0.7) is counted, not queued
