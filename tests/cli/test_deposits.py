"""Deposits and retainage through the real cycle on the contract's quickstart layout."""

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
    "retainage_pct",
]
INVOICES = [
    ("DP-100", "C001", "2026-10-01", "2026-10-01", "500.00", "deposit", "SO-7", ""),
    ("P-201", "C002", "2026-10-20", "2026-11-19", "10000.00", "progress", "PRJ-9", "10"),
    ("P-202", "C002", "2026-10-25", "2026-11-24", "5000.00", "progress", "PRJ-9", "10"),
    ("INV-300", "C001", "2026-10-02", "2026-11-01", "250.00", "", "", ""),
]
FINALS = [
    ("F-700", "C001", "2026-11-20", "2026-12-20", "4000.00", "final", "SO-7", ""),
    ("C-900", "C002", "2026-11-25", "2026-12-25", "1500.00", "completion", "PRJ-9", ""),
]
BANK = [
    ("10/05/2026", "ACME INDUSTRIAL SUPPLY DEPOSIT DP-100", "500.00", "TX1"),
    ("11/02/2026", "BRIGHTWATER FOODS P-201 P-202 LESS RETAINAGE", "13500.00", "TX2"),
]


def _write(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _invoices(root: Path, rows: Sequence[tuple[str, ...]], *, retainage: bool = True) -> None:
    full = [
        (n, c, d, due, amt, amt, "USD", "NET30", "", kind, order, pct if retainage else "")
        for n, c, d, due, amt, kind, order, pct in rows
    ]
    _write(root / "erp" / "invoices.csv", HEADER, full)


def _quickstart(root: Path, *, retainage: bool = True) -> Path:
    _write(
        root / "erp" / "customers.csv",
        ["customer_id", "name", "parent_id", "terms", "currency"],
        [
            ("C001", "Acme Industrial Supply", "", "NET30", "USD"),
            ("C002", "Brightwater Foods", "", "NET30", "USD"),
        ],
    )
    _invoices(root, INVOICES, retainage=retainage)
    _write(
        root / "bank" / "statement.csv", ["Date", "Description", "Amount", "Transaction ID"], BANK
    )
    config = root / "arbridge.yaml"
    config.write_text(CONTRACT_CONFIG.format(data=root), encoding="utf-8")
    return config


def _cli(config: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(config), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _applied(root: Path) -> dict[tuple[str, str], str]:
    with (root / "out" / "applications.csv").open(newline="", encoding="utf-8") as handle:
        return {
            (r["bank_transaction_id"], r["invoice_id"]): r["amount"] for r in csv.DictReader(handle)
        }


def _held(config: Path, day: str) -> dict[str, tuple[str, str, str, str]]:
    rows = _csv(_cli(config, "deposits", "--as-of", day, "--wait-days", "30"))
    return {
        r["invoice_id"]: (r["kind"], r["held"], r["status"], r["final_invoice_id"]) for r in rows
    }


def test_a_payment_less_retainage_is_applied_not_queued_as_short(tmp_path: Path) -> None:
    config = _quickstart(tmp_path)
    _cli(config, "run", "--once")

    applied = _applied(tmp_path)
    assert applied["TX2", "P-201"] == "9000.00"
    assert applied["TX2", "P-202"] == "4500.00"
    assert applied["TX1", "DP-100"] == "500.00"
    reasons = {
        r["bank_transaction_id"]: r["reason"]
        for r in _csv(_cli(config, "review", "list", "--format", "csv"))
    }
    assert "TX2" not in reasons


def test_without_a_retainage_on_the_bills_the_same_payment_goes_to_review(tmp_path: Path) -> None:
    config = _quickstart(tmp_path, retainage=False)
    _cli(config, "run", "--once")

    assert ("TX2", "P-201") not in _applied(tmp_path)
    reasons = {
        r["bank_transaction_id"]: r["reason"]
        for r in _csv(_cli(config, "review", "list", "--format", "csv"))
    }
    assert reasons["TX2"] == "short_payment"


def test_deposits_and_retainage_are_held_until_the_final_and_completion_invoices(
    tmp_path: Path,
) -> None:
    config = _quickstart(tmp_path)
    _cli(config, "run", "--once")
    _cli(config, "run", "--once")  # reads back the open amounts the applications left

    before = _held(config, "2026-11-15")
    assert before == {
        "DP-100": ("deposit", "500.00", "overdue", ""),  # 45 days, no final invoice
        "P-201": ("retainage", "1000.00", "held", ""),
        "P-202": ("retainage", "500.00", "held", ""),
    }
    assert _held(config, "2026-10-20")["DP-100"][2] == "waiting"

    _invoices(tmp_path, [*INVOICES, *FINALS])
    _cli(config, "run", "--once")

    after = _held(config, "2026-11-30")
    assert after["DP-100"] == ("deposit", "500.00", "final_invoiced", "F-700")
    assert after["P-201"] == ("retainage", "1000.00", "release_billed", "C-900")
    assert _held(config, "2026-11-15") == before  # the finals are dated after that day


def test_without_the_new_columns_there_is_nothing_held(contract_data: Path) -> None:
    config = contract_data / "arbridge.yaml"
    _cli(config, "run", "--once")

    assert _csv(_cli(config, "deposits", "--as-of", "2026-11-30")) == []


def test_an_amount_only_payment_of_one_bill_less_its_retainage_is_applied(tmp_path: Path) -> None:
    config = _quickstart(tmp_path)
    _write(
        tmp_path / "bank" / "statement.csv",
        ["Date", "Description", "Amount", "Transaction ID"],
        [("11/02/2026", "BRIGHTWATER FOODS ACH PAYMENT", "4500.00", "TX5")],
    )
    _cli(config, "run", "--once")

    assert _applied(tmp_path) == {("TX5", "P-202"): "4500.00"}


def test_the_cycle_opens_one_review_item_per_deposit_or_retainage_to_act_on(
    tmp_path: Path,
) -> None:
    config = _quickstart(tmp_path)
    _invoices(tmp_path, [*INVOICES, FINALS[0]])
    _cli(config, "run", "--once")
    _cli(config, "run", "--once")  # reads back the paid deposit: its final invoice is out

    again = CliRunner().invoke(
        cli, ["--config", str(config), "deposits", "--as-of", "2026-11-30", "--queue"]
    )

    assert again.exit_code == 0, again.output
    assert "0 new review item(s)" in again.stderr  # the cycle's deposit check queued it once
    items = [
        r
        for r in _csv(_cli(config, "review", "list", "--format", "csv"))
        if r["reason"] == "deposit_held"
    ]
    assert [(r["customer_id"], r["amount"]) for r in items] == [("C001", "500.00")]
    assert items[0]["suggested_invoice_ids"].split() == ["DP-100", "F-700"]  # P-201/P-202: held


def test_deposits_queue_opens_what_the_cycle_has_not(tmp_path: Path) -> None:
    config = _quickstart(tmp_path)
    _invoices(tmp_path, [*INVOICES, FINALS[0]])
    _cli(config, "run", "--once")  # pays DP-100; the register shows it paid from the next pull
    off = config.read_text(encoding="utf-8") + "deposits:\n  enabled: false\n"
    config.write_text(off, encoding="utf-8")
    _cli(config, "run", "--once")

    first = CliRunner().invoke(
        cli, ["--config", str(config), "deposits", "--as-of", "2026-11-30", "--queue"]
    )
    second = CliRunner().invoke(
        cli, ["--config", str(config), "deposits", "--as-of", "2026-11-30", "--queue"]
    )

    assert "1 new review item(s)" in first.stderr
    assert "0 new review item(s)" in second.stderr
