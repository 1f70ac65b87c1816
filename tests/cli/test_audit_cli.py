"""`arbridge audit` over the contract's csv ERP: clean after normal work, exit 1 on a finding."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner, Result

from arbridge.app import build_app
from arbridge.cli import cli
from arbridge.cli.daemon import _daily_audit
from arbridge.config import load_settings
from arbridge.review.resolutions import Resolver
from arbridge.scheduler import run_cycle
from arbridge.store import cursors
from arbridge.store.tables import OutboxRow


def _audit(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "audit", *args])


def _append_row(data: Path, row: list[str]) -> None:
    with (data / "out" / "applications.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(row)


def test_audit_is_clean_after_cycles_and_clerk_work(contract_data: Path) -> None:
    config = contract_data / "arbridge.yaml"
    app = build_app(load_settings(config))
    run_cycle(app.cycle_deps())
    [item] = [i for i in app.queue.open_items() if i.bank_transaction_id == "TX0005"]
    Resolver(app.store, "books").apply(item.item_id, [("INV-1008", Decimal("760.00"))], actor="c")
    run_cycle(app.cycle_deps())

    result = _audit(config)

    assert result.exit_code == 0, result.output
    assert "clean" in result.output


def test_audit_reports_an_invoice_over_applied_and_a_posting_it_does_not_know(
    contract_data: Path,
) -> None:
    config = contract_data / "arbridge.yaml"
    app = build_app(load_settings(config))
    run_cycle(app.cycle_deps())
    _append_row(  # someone wrote a second payment of INV-1001 by hand
        contract_data,
        ["TX9999", "INV-1001", "C001", "1250.00", "0", "", "2026-11-30T10:00:00+00:00"],
    )
    with (contract_data / "out" / "applications.keys.csv").open("a", encoding="utf-8") as fh:
        fh.write("11,operating,TX9999,INV-1001,books:operating:TX9999\n")

    result = _audit(config)

    assert result.exit_code == 1, result.output
    assert "invoice_over_applied  INV-1001" in result.output
    assert "unknown_posting       books:operating:TX9999" in result.output


def test_audit_reports_an_entry_marked_rejected_that_the_erp_holds(contract_data: Path) -> None:
    config = contract_data / "arbridge.yaml"
    app = build_app(load_settings(config))
    run_cycle(app.cycle_deps())
    with app.store.transaction() as session:
        sent = session.get_one(OutboxRow, 1)
        sent.status = "rejected"
        session.add(sent)

    result = _audit(config, "--open-items")

    assert result.exit_code == 1, result.output
    assert "refused_but_posted" in result.output
    assert "1 review item(s) opened" in result.output
    [item] = app.queue.open_items(reason="ledger_mismatch")
    assert "the outbox says rejected, but the ERP holds it" in item.message


def test_the_daemon_audits_after_its_cycle_once_a_day(contract_data: Path) -> None:
    app = build_app(load_settings(contract_data / "arbridge.yaml"))
    deps = app.cycle_deps()
    run_cycle(deps)
    _append_row(  # a second, unknown payment of INV-1001 written by hand
        contract_data,
        ["TX9999", "INV-1001", "C001", "1250.00", "0", "", "2026-11-30T10:00:00+00:00"],
    )

    _daily_audit(app.store, deps)
    _daily_audit(app.store, deps)  # the same day: not again

    [item] = app.queue.open_items(reason="ledger_mismatch")
    assert "INV-1001" in item.message
    with app.store.transaction() as session:
        assert cursors.load_cursor(session, "books", "audit") is not None
