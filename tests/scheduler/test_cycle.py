"""One cycle against the contract layout: bad inputs are isolated, nothing half-written."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from arbridge.cli import cli


def _invoke(data: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--config", str(data / "arbridge.yaml"), *args])
    return result.exit_code, result.stdout, result.stderr


def _review(data: Path) -> list[dict[str, str]]:
    code, out, _ = _invoke(data, "review", "list", "--format", "csv")
    assert code == 0
    return list(csv.DictReader(io.StringIO(out)))


def _applied_ids(data: Path) -> set[str]:
    path = data / "out" / "applications.csv"
    with path.open(encoding="utf-8") as fh:
        return {r["bank_transaction_id"] for r in csv.DictReader(fh)}


def test_bad_bank_file_is_quarantined_whole_and_the_rest_goes_on(
    contract_data_any_store: Path,
) -> None:
    contract_data = contract_data_any_store
    (contract_data / "bank" / "broken.csv").write_text(
        "Date,Description,Amount,Transaction ID\n"
        "11/10/2026,ACME INDUSTRIAL SUPPLY INV-1002,480.50,TX0200\n"
        "11/31/2026,BAD DATE,1.00,TX0201\n",
        encoding="utf-8",
    )

    code, out, _ = _invoke(contract_data, "run", "--once")

    assert code == 0
    assert "1 quarantined" in out
    assert "broken.csv:3, field 'Date', value '11/31/2026'" in out
    assert "TX0200" not in _applied_ids(contract_data)  # its good line is not half-imported
    assert "TX0001" in _applied_ids(contract_data)
    quarantined = [i for i in _review(contract_data) if i["reason"] == "quarantined_file"]
    assert len(quarantined) == 1
    assert "broken.csv" in quarantined[0]["message"]


def test_a_quarantined_file_is_not_queued_again_on_the_next_cycle(
    contract_data_any_store: Path,
) -> None:
    contract_data = contract_data_any_store
    (contract_data / "bank" / "broken.csv").write_text("Date,Memo\n1,2\n", encoding="utf-8")
    _invoke(contract_data, "run", "--once")

    code, _out, _ = _invoke(contract_data, "run", "--once")

    assert code == 0
    assert [i["reason"] for i in _review(contract_data)].count("quarantined_file") == 1


def test_erp_export_missing_queues_connector_down_but_bank_lines_are_kept(
    contract_data_any_store: Path,
) -> None:
    contract_data = contract_data_any_store
    invoices = contract_data / "erp" / "invoices.csv"
    saved = invoices.read_text(encoding="utf-8")
    invoices.unlink()

    code, out, _ = _invoke(contract_data, "run", "--once")

    assert code == 0
    assert "lines 12 new" in out
    reasons = [i["reason"] for i in _review(contract_data)]
    assert reasons == ["connector_down"]
    assert not (contract_data / "out" / "applications.csv").exists()

    invoices.write_text(saved, encoding="utf-8")
    code, out, _ = _invoke(contract_data, "run", "--once")

    assert code == 0
    assert "TX0001" in _applied_ids(contract_data)  # lines kept from the failed cycle
    assert "connector_down" not in [i["reason"] for i in _review(contract_data)]  # closed itself


def test_unreachable_store_exits_non_zero_with_a_clear_message(contract_data: Path) -> None:
    config = contract_data / "arbridge.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(f"sqlite:///{contract_data}/state.db", "sqlite:////nonexistent/dir/state.db"),
        encoding="utf-8",
    )

    code, _, err = _invoke(contract_data, "run", "--once")

    assert code == 1
    assert "store" in err.lower()


def test_bad_config_exits_2_listing_every_problem(contract_data: Path) -> None:
    config = contract_data / "arbridge.yaml"
    text = config.read_text(encoding="utf-8").replace("kind: csv", "kind: csv\n    colour: red")
    config.write_text(text.replace("  url:", "  uri:"), encoding="utf-8")

    code, _, err = _invoke(contract_data, "run", "--once")

    assert code == 2
    assert "2 configuration problems" in err
    assert "store.uri (line 2)" in err
    assert "connectors.erp.colour (line 16)" in err


def test_check_config_validates_without_creating_the_store(contract_data: Path) -> None:
    code, out, _ = _invoke(contract_data, "check-config")

    assert code == 0
    assert "configuration is valid" in out
    assert not (contract_data / "state.db").exists()


def test_config_schema_is_json_schema(contract_data: Path) -> None:
    code, out, _ = _invoke(contract_data, "config", "schema")

    assert code == 0
    assert '"$schema": "https://json-schema.org/draft/2020-12/schema"' in out
    assert '"connectors"' in out


def test_locked_store_stops_the_cycle_cleanly_and_the_next_one_catches_up(
    contract_data: Path,
) -> None:
    config = contract_data / "arbridge.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("  url:", "  busy_timeout_seconds: 0.5\n  url:"),
        encoding="utf-8",
    )
    assert _invoke(contract_data, "run", "--once")[0] == 0
    (contract_data / "bank" / "later.csv").write_text(
        "Date,Description,Amount,Transaction ID\n11/20/2026,DELTA INV-1007,760.00,TX0300\n",
        encoding="utf-8",
    )
    blocker = sqlite3.connect(contract_data / "state.db", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        code, _, err = _invoke(contract_data, "run", "--once")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()

    assert code == 1
    assert "store unavailable: database is locked" in err
    assert "TX0300" not in _applied_ids(contract_data)

    assert _invoke(contract_data, "run", "--once")[0] == 0
    with (contract_data / "out" / "applications.csv").open(encoding="utf-8") as fh:
        rows = [r["bank_transaction_id"] for r in csv.DictReader(fh)]
    assert rows.count("TX0300") == 1


def test_an_erp_on_its_own_schedule_is_not_pulled_every_cycle(contract_data: Path) -> None:
    config = contract_data / "arbridge.yaml"
    with config.open("a", encoding="utf-8") as fh:
        fh.write("schedule:\n  connectors:\n    books: {interval_seconds: 3600}\n")
    assert _invoke(contract_data, "run", "--once")[0] == 0
    (contract_data / "erp" / "invoices.csv").unlink()  # not read again within the hour
    (contract_data / "bank" / "later.csv").write_text(
        "Date,Description,Amount,Transaction ID\n"
        "11/20/2026,DELTA HARBOR INV-1007,760.00,TX0400\n"
        "11/20/2026,ACME INDUSTRIAL INV-1001,1250.00,TX0401\n",
        encoding="utf-8",
    )

    code, _out, _ = _invoke(contract_data, "run", "--once")

    assert code == 0
    assert "TX0400" in _applied_ids(contract_data)  # matched against the stored snapshot
    by_tx = {i["bank_transaction_id"]: i for i in _review(contract_data)}
    assert "connector_down" not in {i["reason"] for i in by_tx.values()}
    # INV-1001 was paid by TX0001 after the snapshot was taken: the snapshot is netted
    assert by_tx["TX0401"]["reason"] == "duplicate_payment"


def test_a_schedule_for_an_unknown_connector_is_a_config_error(contract_data: Path) -> None:
    config = contract_data / "arbridge.yaml"
    with config.open("a", encoding="utf-8") as fh:
        fh.write("schedule:\n  connectors:\n    bookz: {cron: '0 * * * *'}\n")

    code, _, err = _invoke(contract_data, "check-config")

    assert code == 2
    assert "unknown connector(s): bookz" in err


def test_move_files_archives_good_files_and_quarantines_bad_ones_with_a_note(
    contract_data: Path,
) -> None:
    config = contract_data / "arbridge.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "      kind: folder\n", "      kind: folder\n      move_files: true\n"
        ),
        encoding="utf-8",
    )
    bank_dir = contract_data / "bank"
    (bank_dir / "broken.csv").write_text(
        "Date,Description,Amount,Transaction ID\n11/31/2026,BAD DATE,1.00,TX0201\n",
        encoding="utf-8",
    )

    assert _invoke(contract_data, "run", "--once")[0] == 0

    assert sorted(p.name for p in bank_dir.iterdir() if p.is_file()) == []
    assert (bank_dir / "archive" / "statement-2026-11.csv").exists()
    note = (bank_dir / "quarantine" / "broken.csv.error.txt").read_text(encoding="utf-8")
    assert "broken.csv:2, field 'Date', value '11/31/2026'" in note
    assert (bank_dir / "quarantine" / "broken.csv").exists()

    # a file imported just before a crash, still in place: recognised by content and put away
    (bank_dir / "again.csv").write_bytes(
        (bank_dir / "archive" / "statement-2026-11.csv").read_bytes()
    )
    code, out, _ = _invoke(contract_data, "run", "--once")

    assert code == 0
    assert "lines 0 new" in out
    assert not (bank_dir / "again.csv").exists()
    assert len(list((bank_dir / "archive").iterdir())) == 2


def test_strict_once_exits_3_when_a_connector_was_down(contract_data: Path) -> None:
    """For cron: `run --once --strict` says a connector was down; plain `--once` stays 0."""
    (contract_data / "erp" / "invoices.csv").unlink()

    strict, _out, _ = _invoke(contract_data, "run", "--once", "--strict")
    plain, _out, _ = _invoke(contract_data, "run", "--once")

    assert strict == 3
    assert plain == 0


def test_strict_once_exits_0_when_all_was_well(contract_data: Path) -> None:
    code, _out, _ = _invoke(contract_data, "run", "--once", "--strict")
    assert code == 0
