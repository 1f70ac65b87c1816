"""Correct on a payment a person recorded wrong in the csv ERP, end to end through the real CLI.

The books are those of `test_recorded_payments`: P-3 records TX1003 (Cobalt Ridge paying
INV-2005) on Delta Harbor's INV-2006; P-4 records TX1004 on INV-2008 while the remittance
names INV-2007; P-5 records 408.50 of TX1005's 480.50; P-6A and P-6B both record TX1006.
"""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from arbridge.app import build_app
from arbridge.app.monitoring import Monitor
from arbridge.cli import cli
from arbridge.config import load_settings
from arbridge.connectors.erp.csv_erp import CsvErpGateway
from arbridge.scheduler import run_cycle
from tests.cli.test_recorded_payments import write_books


@pytest.fixture
def data(tmp_path: Path, store_url: str) -> Path:
    data = write_books(tmp_path, store_url)
    _ok(data, "run", "--once")
    return data


def _invoke(data: Path, *args: str) -> Result:
    config = str(data / "arbridge.yaml")
    return CliRunner().invoke(cli, ["--config", config, *args], catch_exceptions=False)


def _ok(data: Path, *args: str) -> str:
    result = _invoke(data, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _items(data: Path) -> dict[str, dict[str, str]]:
    text = _ok(data, "review", "list", "--format", "csv")
    return {r["bank_transaction_id"]: r for r in csv.DictReader(text.splitlines())}


def _applied(data: Path, bank_id: str) -> list[tuple[str, str, str]]:
    rows = _rows(data / "out" / "applications.csv")
    return [
        (r["invoice_id"], r["customer_id"], r["amount"])
        for r in rows
        if r["bank_transaction_id"] == bank_id
    ]


def _reversed(data: Path) -> list[tuple[str, str, str, str]]:
    rows = _rows(data / "out" / "payment_reversals.csv")
    return [(r["payment_id"], r["invoice_id"], r["amount"], r["bank_transaction_id"]) for r in rows]


def _open(data: Path, invoice_id: str) -> str:
    """The invoice's open amount as the csv ERP reports it now."""
    gateway = CsvErpGateway(
        name="books",
        customers=data / "erp" / "customers.csv",
        invoices=data / "erp" / "invoices.csv",
        applications=data / "out" / "applications.csv",
    )
    [invoice] = [i for i in gateway.fetch_invoices() if i.invoice_id == invoice_id]
    return str(invoice.open_amount)


def test_correct_reverses_the_recording_and_applies_as_the_engine_would(data: Path) -> None:
    item = _items(data)["TX1003"]
    assert item["reason"] == "suspected_misapplication"

    said = _ok(data, "review", "correct", item["item_id"], "--reason", "Cobalt paid, not Delta")
    assert "erp-payment:P-3" in said
    assert _reversed(data) == []  # queued only: the daemon posts it
    _ok(data, "run", "--once")

    assert _reversed(data) == [("P-3", "INV-2006", "-777.77", "TX1003")]
    assert _applied(data, "TX1003") == [("INV-2005", "C003", "777.77")]
    assert _open(data, "INV-2006") == "777.77"  # the wrong invoice is open again
    assert _open(data, "INV-2005") == "0.00"
    assert "TX1003" not in _items(data)
    shown = _ok(data, "review", "show", item["item_id"])
    assert "resolved" in shown
    assert "reverse ERP payment P-3" in shown
    _ok(data, "audit")  # arbridge's ledger and the ERP agree (exit 0)


def test_a_corrected_payment_is_posted_once_however_often_the_cycle_runs(data: Path) -> None:
    item = _items(data)["TX1003"]
    _ok(data, "review", "correct", item["item_id"], "--reason", "wrong customer")
    _ok(data, "run", "--once")
    files = [data / "out" / n for n in ("applications.csv", "payment_reversals.csv")]
    before = [p.read_bytes() for p in files], _items(data)

    _ok(data, "run", "--once")
    _ok(data, "run", "--once")

    assert ([p.read_bytes() for p in files], _items(data)) == before
    again = _invoke(data, "review", "correct", item["item_id"], "--reason", "twice")
    assert again.exit_code == 1


def test_the_clerk_may_pick_the_invoices(data: Path) -> None:
    item = _items(data)["TX1004"]
    _ok(
        data,
        "review",
        "correct",
        item["item_id"],
        "--invoice",
        "INV-2007:500.00",
        "--reason",
        "remittance named 2007",
    )
    _ok(data, "run", "--once")

    assert _reversed(data) == [("P-4", "INV-2008", "-500.00", "TX1004")]
    assert _applied(data, "TX1004") == [("INV-2007", "C004", "500.00")]
    assert _open(data, "INV-2008") == "500.00"


def test_an_amount_recorded_short_is_reapplied_in_full(data: Path) -> None:
    item = _items(data)["TX1005"]  # 408.50 of 480.50 recorded on INV-2002 (72.00 left open)
    _ok(data, "review", "correct", item["item_id"], "--reason", "digits swapped")
    _ok(data, "run", "--once")

    assert _applied(data, "TX1005") == [("INV-2002", "C001", "480.50")]
    assert _open(data, "INV-2002") == "0.00"


def test_a_payment_recorded_twice_loses_only_its_duplicate(data: Path) -> None:
    item = _items(data)["TX1006"]
    _ok(data, "review", "correct", item["item_id"], "--reverse", "P-6B", "--reason", "twice")
    _ok(data, "run", "--once")

    assert _reversed(data) == [("P-6B", "INV-2009", "-315.25", "TX1006")]
    assert _applied(data, "TX1006") == []  # P-6A still records the line
    assert "TX1006" not in _items(data)


def test_the_money_door_refuses_an_over_application_and_queues_nothing(data: Path) -> None:
    item = _items(data)["TX1003"]
    refused = _invoke(
        data,
        "review",
        "correct",
        item["item_id"],
        "--invoice",
        "INV-2013:777.77",
        "--reason",
        "wrong",
    )
    assert refused.exit_code == 1
    assert "777.77 would over-apply it" in refused.output  # TX1010 paid INV-2013
    _ok(data, "run", "--once")
    assert _reversed(data) == []
    assert _items(data)["TX1003"]["status"] == "open"


def test_applying_a_line_already_recorded_in_the_erp_is_refused(data: Path) -> None:
    item = _items(data)["TX1003"]
    refused = _invoke(data, "review", "resolve", item["item_id"], "--invoice", "INV-2005:777.77")

    assert refused.exit_code == 1
    assert "already recorded in the ERP" in refused.output
    _ok(data, "run", "--once")
    assert _applied(data, "TX1003") == []


def test_a_dismissed_finding_stays_dismissed_while_other_payments_change(data: Path) -> None:
    item = _items(data)["TX1004"]
    _ok(data, "review", "dismiss", item["item_id"], "--comment", "agreed with the customer")
    with (data / "erp" / "payments.csv").open("a", encoding="utf-8") as fh:
        fh.write("P-20,C001,,10.00,2026-11-20,,unrelated deposit\n")

    _ok(data, "run", "--once")
    _ok(data, "run", "--once")

    assert "TX1004" not in _items(data)


def test_findings_below_min_confidence_are_counted_not_queued(
    tmp_path: Path, store_url: str
) -> None:
    data = write_books(tmp_path, store_url)
    config = data / "arbridge.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "misapplied:\n  min_confidence: 0.9\n",
        encoding="utf-8",
    )

    said = _ok(data, "run", "--once")

    flagged = {k for k, v in _items(data).items() if v["reason"] == "suspected_misapplication"}
    # another customer (TX1003), other invoices (TX1004), recorded twice (TX1006) stay;
    # an amount recorded short (TX1005) and an invoice paid by two lines (TX1007, TX1008) go
    assert flagged == {"TX1003", "TX1004", "TX1006"}
    assert "3 finding(s) in the ERP below misapplied.min_confidence (not queued)" in said
    assert _applied(data, "TX1005") == []  # not queued, and still never posted again


def test_by_default_every_kind_of_finding_is_queued(data: Path) -> None:
    flagged = {k for k, v in _items(data).items() if v["reason"] == "suspected_misapplication"}
    assert flagged == {"TX1003", "TX1004", "TX1005", "TX1006", "TX1007", "TX1008"}


def test_findings_below_min_confidence_are_a_metric(tmp_path: Path, store_url: str) -> None:
    data = write_books(tmp_path, store_url)
    config = data / "arbridge.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "misapplied:\n  min_confidence: 0.9\n",
        encoding="utf-8",
    )
    app = build_app(load_settings(config))
    monitor = Monitor(app.store, lease=None, stale_after=timedelta(minutes=15))

    try:
        monitor.record(run_cycle(app.cycle_deps()))
    finally:
        app.store.dispose()

    below = {"kind": "misapplied_below_confidence"}
    assert monitor.registry.get_sample_value("arbridge_events_total", below) == 3
    queued = {"kind": "misapplied"}
    assert monitor.registry.get_sample_value("arbridge_events_total", queued) == 3
