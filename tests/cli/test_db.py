"""`arbridge db status|upgrade`: the schema is brought up to date on demand (and on start)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from arbridge.cli import cli
from arbridge.store import create_store_engine, head_revision


def _db(data: Path, command: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(data / "arbridge.yaml"), "db", command])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_status_then_upgrade_then_status(contract_data: Path) -> None:
    head = head_revision(create_store_engine("sqlite://"))
    assert head is not None
    assert f"store at revision None: needs upgrade to {head}" in _db(contract_data, "status")

    assert f"store at revision {head}" in _db(contract_data, "upgrade")

    assert f"store at revision {head}: up to date" in _db(contract_data, "status")
