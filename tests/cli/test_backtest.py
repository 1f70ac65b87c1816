"""`arbridge backtest` replays posted history through the current rules."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from arbridge.cli import cli

HEADER = (
    "bank_transaction_id,invoice_id,customer_id,amount,adjustment,adjustment_reason,applied_at\n"
)


def _backtest(data: Path, history: str) -> str:
    (data / "history.csv").write_text(HEADER + history, encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(data / "arbridge.yaml"),
            "backtest",
            "--history",
            str(data / "history.csv"),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_history_the_rules_agree_with_scores_full_precision(contract_data: Path) -> None:
    output = _backtest(
        contract_data,
        "TX0001,INV-1001,C001,1250.00,0,,2026-11-02T10:00:00+00:00\n"
        "TX0011,INV-1006,C003,1200.00,0,,2026-11-09T10:00:00+00:00\n",
    )

    assert "with posted history: 2" in output
    assert "precision 100.00% (2 right, 0 wrong); recall 100.00%" in output


def test_a_different_posting_is_listed_as_wrong(contract_data: Path) -> None:
    output = _backtest(
        contract_data,
        "TX0001,INV-1002,C001,1250.00,0,,2026-11-02T10:00:00+00:00\n"
        "TX0005,INV-1007,C004,760.00,0,,2026-11-04T10:00:00+00:00\n",
    )

    assert "precision 0.00% (0 right, 1 wrong); recall 0.00%" in output
    assert "WRONG TX0001: engine INV-1001=1250.00; posted INV-1002=1250.00" in output
    assert "lookalike_invoices 1" in output
    assert (
        "MISAPPLIED TX0001: suspected misapplication: the remittance names INV-1001, but INV-1002 was applied"
        in output
    )
    assert "-> suggest INV-1001" in output


def test_bad_history_names_file_line_and_field(contract_data: Path) -> None:
    (contract_data / "history.csv").write_text(
        HEADER + "TX0001,INV-1001,C001,12x,0,,\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(contract_data / "arbridge.yaml"),
            "backtest",
            "--history",
            str(contract_data / "history.csv"),
        ],
    )
    assert result.exit_code == 1
    assert "history.csv:2, field 'amount', value '12x': amount is not an amount" in result.output
