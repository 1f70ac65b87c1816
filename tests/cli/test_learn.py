"""`arbridge learn`: links from history wait for an admin, then matching uses them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from arbridge.cli import cli
from bench.datasets import CONTRACT_CONFIG

TEXT = "PRMC HLDG ACH CREDIT"


def _run(config: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _statement(path: Path, rows: list[tuple[str, str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Date", "Description", "Amount", "Transaction ID"])
        writer.writerows([("11/02/2026", text, amount, tx) for tx, text, amount in rows])


def _quickstart(tmp: Path) -> Path:
    (tmp / "erp").mkdir()
    (tmp / "erp" / "customers.csv").write_text(
        "customer_id,name,parent_id,terms,currency\n"
        "C1,Prairie Mechanical Group,,NET30,USD\nC2,Eagle Retail Group,,NET30,USD\n",
        encoding="utf-8",
    )
    (tmp / "erp" / "invoices.csv").write_text(
        "invoice_id,customer_id,invoice_date,due_date,amount,open_amount,currency,terms,po_number\n"
        "INV-9,C1,2026-10-01,2026-10-31,812.34,812.34,USD,NET30,\n"
        "INV-10,C1,2026-10-02,2026-11-01,455.10,455.10,USD,NET30,\n"
        "INV-11,C2,2026-10-02,2026-11-01,99.00,99.00,USD,NET30,\n",
        encoding="utf-8",
    )
    _statement(tmp / "history" / "oct.csv", [("H1", TEXT, "120.00"), ("H2", TEXT, "80.00")])
    (tmp / "history" / "applications.csv").write_text(
        "bank_transaction_id,invoice_id,customer_id,amount,adjustment,adjustment_reason,applied_at\n"
        "H1,INV-1,C1,120.00,0,,2026-10-05T10:00:00+00:00\n"
        "H2,INV-2,C1,80.00,0,,2026-10-20T10:00:00+00:00\n",
        encoding="utf-8",
    )
    config = tmp / "arbridge.yaml"
    config.write_text(CONTRACT_CONFIG.format(data=tmp), encoding="utf-8")
    return config


def _queue(config: Path) -> dict[str, str]:
    out = _run(config, "review", "list", "--format", "csv")
    return {r["bank_transaction_id"]: r["reason"] for r in csv.DictReader(io.StringIO(out))}


def test_a_proposal_takes_effect_only_once_approved(tmp_path: Path) -> None:
    config = _quickstart(tmp_path)
    history = tmp_path / "history"
    out = _run(
        config,
        "learn",
        "propose",
        "--history",
        str(history / "applications.csv"),
        "--bank",
        str(history / "oct.csv"),
    )
    assert "1 new proposal(s)" in out
    assert "-> C1 (seen 2 times)" in out
    assert "-> C1" in _run(config, "learn", "list")

    _statement(tmp_path / "bank" / "nov1.csv", [("T1", TEXT, "812.34")])
    _run(config, "run", "--once")
    assert "T1" in _queue(config)  # a proposal is not a link yet

    assert "1 link(s) approved" in _run(config, "learn", "approve", "--all")
    assert _run(config, "learn", "list").strip() == "no proposals waiting"
    _statement(tmp_path / "bank" / "nov2.csv", [("T2", TEXT, "455.10")])
    _run(config, "run", "--once")
    with (tmp_path / "out" / "applications.csv").open(encoding="utf-8") as fh:
        applied = {(r["bank_transaction_id"], r["invoice_id"]) for r in csv.DictReader(fh)}
    assert ("T2", "INV-10") in applied
    assert "T2" not in _queue(config)


def test_history_that_ties_a_name_to_two_customers_proposes_nothing(tmp_path: Path) -> None:
    config = _quickstart(tmp_path)
    history = tmp_path / "history" / "applications.csv"
    history.write_text(
        history.read_text(encoding="utf-8").replace("H2,INV-2,C1", "H2,INV-2,C2"), encoding="utf-8"
    )
    out = _run(
        config,
        "learn",
        "propose",
        "--history",
        str(history),
        "--bank",
        str(tmp_path / "history" / "oct.csv"),
    )
    assert "0 new proposal(s)" in out


def test_a_wrong_link_name_is_refused(tmp_path: Path) -> None:
    config = _quickstart(tmp_path)
    result = CliRunner().invoke(cli, ["--config", str(config), "learn", "approve", "alias:NOBODY"])
    assert result.exit_code == 1
    assert "no such proposal: alias:NOBODY" in result.output
