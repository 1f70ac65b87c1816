"""Collections through the CLI on the contract quickstart: never chase money that has arrived."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from arbridge.cli import cli

TODAY = datetime.now(UTC).date()


def _run(config: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _worklist(config: Path) -> dict[str, dict[str, str]]:
    out = _run(config, "ar", "worklist", "--as-of", "2026-11-30", "--format", "csv")
    return {r["customer_id"]: r for r in csv.DictReader(io.StringIO(out))}


def _page(config: Path, customer: str) -> dict[str, list[dict[str, str]]]:
    page: dict[str, list[dict[str, str]]] = json.loads(
        _run(config, "ar", "customer", customer, "--format", "json")
    )
    return page


def _review_id(config: Path, bank_id: str) -> str:
    out = _run(config, "review", "list", "--format", "csv")
    (row,) = [r for r in csv.DictReader(io.StringIO(out)) if r["bank_transaction_id"] == bank_id]
    return row["item_id"]


def test_cash_in_review_then_in_the_outbox_then_posted_is_never_chased(
    contract_data: Path,
) -> None:
    config = contract_data / "arbridge.yaml"
    _run(config, "run", "--once")
    rows = _worklist(config)
    # C004 owes 2 x 760.00; one 760.00 line from Delta Harbor waits in review (look-alikes)
    assert (rows["C004"]["past_due"], rows["C004"]["in_flight"]) == ("1520.00", "760.00")
    assert (rows["C004"]["to_chase"], rows["C004"]["holds"]) == ("760.00", "")

    _run(config, "review", "resolve", _review_id(config, "TX0005"), "--invoice", "INV-1007:760.00")
    rows = _worklist(config)  # decided, not posted yet: still in flight, not chased twice
    assert (rows["C004"]["in_flight"], rows["C004"]["to_chase"]) == ("760.00", "760.00")

    _run(config, "run", "--once")
    rows = _worklist(config)
    assert (rows["C004"]["past_due"], rows["C004"]["in_flight"]) == ("760.00", "0.00")


def test_a_promise_is_kept_by_the_money_that_arrives(contract_data: Path) -> None:
    config = contract_data / "arbridge.yaml"
    _run(config, "run", "--once")
    by = (TODAY + timedelta(days=5)).isoformat()
    _run(config, "ar", "promise", "C001", "--amount", "80.50", "--by", by, "--as", "ann")
    assert _worklist(config)["C001"]["holds"] == "promise open"

    paid = f"{TODAY:%m/%d/%Y},ACME INDUSTRIAL SUPPLY INV-1002,80.50,TX0100\n"
    (contract_data / "bank" / "later.csv").write_text(
        "Date,Description,Amount,Transaction ID\n" + paid, encoding="utf-8"
    )
    _run(config, "run", "--once")

    page = _page(config, "C001")
    assert [p["status"] for p in page["promises"]] == ["kept"]
    assert [n["actor"] for n in page["notes"]] == ["ann", "arbridge"]
    assert page["notes"][1]["text"].endswith(f"80.50 due {by}: kept")
    assert "C001" not in _worklist(config)  # nothing past due any more


def test_a_promise_not_kept_by_its_date_is_broken_and_the_customer_chased_again(
    contract_data: Path,
) -> None:
    config = contract_data / "arbridge.yaml"
    _run(config, "run", "--once")
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    _run(config, "ar", "plan", "C001", "--instalment", f"{yesterday}:40.00", "--as", "ann")

    assert _worklist(config)["C001"]["holds"] == ""
    assert [p["status"] for p in _page(config, "C001")["promises"]] == ["broken"]


def test_disputes_opt_outs_notes_and_the_collector(contract_data: Path) -> None:
    config = contract_data / "arbridge.yaml"
    _run(config, "run", "--once")
    _run(config, "ar", "dispute", "INV-1002", "--reason", "price differs from PO", "--as", "ann")
    refused = CliRunner().invoke(
        cli, ["--config", str(config), "ar", "customer", "C004", "--collector", "bob"]
    )
    assert refused.exit_code == 2
    assert "'bob' is not an enabled user with role collector" in refused.output
    secret = contract_data / "bob.pw"
    secret.write_text("a long enough password\n", encoding="utf-8")
    _run(config, "user", "add", "bob", "--role", "collector", "--password-file", str(secret))
    _run(config, "ar", "customer", "C004", "--opt-out", "--collector", "bob")
    _run(config, "ar", "note", "C004", "left a voicemail for AP", "--kind", "call", "--as", "bob")

    rows = _worklist(config)
    assert rows["C001"]["holds"] == "in dispute"
    assert (rows["C004"]["holds"], rows["C004"]["collector"]) == ("opted out", "bob")
    mine = _run(config, "ar", "worklist", "--as-of", "2026-11-30", "--collector", "bob")
    assert "C004" in mine
    assert "C001" not in mine
    assert _page(config, "C004")["notes"][-1]["text"] == "left a voicemail for AP"

    _run(config, "ar", "dispute", "INV-1002", "--close")
    assert _worklist(config)["C001"]["holds"] == ""


def test_unknown_customers_and_invoices_are_refused(contract_data: Path) -> None:
    config = contract_data / "arbridge.yaml"
    _run(config, "run", "--once")
    runner = CliRunner()

    result = runner.invoke(cli, ["--config", str(config), "ar", "note", "C999", "hello"])
    assert result.exit_code == 1
    assert "C999" in result.output
    result = runner.invoke(
        cli, ["--config", str(config), "ar", "dispute", "INV-9", "--reason", "x"]
    )
    assert result.exit_code == 1
    assert "INV-9" in result.output
