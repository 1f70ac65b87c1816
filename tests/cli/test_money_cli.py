"""The money ledger's refusals reach the terminal whole: message on stderr, exit 1."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from arbridge.app import build_app
from arbridge.cli import cli
from arbridge.config import load_settings
from arbridge.scheduler import run_cycle


def _item(config: Path, bank_id: str) -> str:
    app = build_app(load_settings(config))
    run_cycle(app.cycle_deps())
    [found] = [i for i in app.queue.open_items() if i.bank_transaction_id == bank_id]
    return str(found.item_id)


def test_review_resolve_with_a_third_decimal_is_refused_naming_the_field(
    contract_data: Path,
) -> None:
    config = contract_data / "arbridge.yaml"
    item = _item(config, "TX0005")

    split = ["--invoice", "INV-1007:759.995", "--invoice", "INV-1008:0.005"]
    result = CliRunner().invoke(cli, ["--config", str(config), "review", "resolve", item, *split])

    assert result.exit_code == 1
    assert "amount for INV-1007: 759.995 has more than two decimals" in result.output


def test_review_resolve_onto_a_paid_invoice_is_refused(contract_data: Path) -> None:
    config = contract_data / "arbridge.yaml"
    item = _item(config, "TX0006")

    result = CliRunner().invoke(
        cli,
        ["--config", str(config), "review", "resolve", item, "--invoice", "INV-0998:640.00"],
    )

    assert result.exit_code == 1
    assert "INV-0998 has 0.00 open" in result.output
    assert not any(
        line.startswith("TX0006")
        for line in (contract_data / "out" / "applications.csv").read_text().splitlines()
    )
