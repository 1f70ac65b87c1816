"""`arbridge review correct` against the contract's csv ERP, which cannot reverse: the
correction becomes a posting_rejected item and applications.csv is left exactly as it was."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from arbridge.cli import cli


def _invoke(data: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--config", str(data / "arbridge.yaml"), *args])
    return result.exit_code, result.output


def test_a_correction_the_csv_erp_cannot_reverse_becomes_a_review_item_and_writes_nothing(
    contract_data_any_store: Path,
) -> None:
    data = contract_data_any_store
    assert _invoke(data, "run", "--once")[0] == 0
    applications = data / "out" / "applications.csv"
    written = applications.read_bytes()

    code, out = _invoke(
        data,
        "review",
        "correct",
        "TX0001",
        "--invoice",
        "INV-1007:760.00",
        "--invoice",
        "INV-1008:490.00",
        "--reason",
        "Delta paid",
        "--as",
        "cli",
    )
    assert code == 0, out
    assert ":reverse:1, then " in out
    assert _invoke(data, "run", "--once")[0] == 0
    assert _invoke(data, "run", "--once")[0] == 0

    assert applications.read_bytes() == written
    _, listing = _invoke(data, "review", "list", "--format", "csv")
    rejected = [
        r for r in csv.DictReader(io.StringIO(listing)) if r["reason"] == "posting_rejected"
    ]
    assert [r["bank_transaction_id"] for r in rejected] == ["TX0001"]
    assert "cannot reverse" in rejected[0]["message"]


def test_the_cli_refuses_amounts_that_do_not_add_up_and_unknown_targets(
    contract_data: Path,
) -> None:
    _invoke(contract_data, "run", "--once")

    short = _invoke(
        contract_data,
        "review",
        "correct",
        "bank:TX0001",
        "--invoice",
        "INV-1007:760.00",
        "--reason",
        "x",
    )
    unknown = _invoke(
        contract_data,
        "review",
        "correct",
        "TX9999",
        "--invoice",
        "INV-1007:760.00",
        "--reason",
        "x",
    )

    assert short[0] == 1
    assert "the amounts add up to 760.00, the payment is 1250.00" in short[1]
    assert unknown[0] == 1
    assert "no posted application or bank line 'TX9999'" in unknown[1]
