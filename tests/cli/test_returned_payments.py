"""NSF and returned items through the real cycle: the commission comes back in their period."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from arbridge.cli import cli
from tests.cli.test_commissions import BANK, make_quickstart

HEADER = ["Date", "Description", "Amount", "Transaction ID"]


def _cli(config: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(config), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _report(config: Path, start: str, end: str) -> list[tuple[str, ...]]:
    out = _cli(config, "commissions", "--from", start, "--to", end, "--format", "csv")
    return [
        (
            r["sales_rep"],
            r["invoice_id"],
            r["bank_transaction_id"],
            r["booked_on"],
            r["cash_amount"],
            r["commission"],
        )
        for r in csv.DictReader(io.StringIO(out))
    ]


def _statement(root: Path, name: str, rows: list[tuple[str, str, str, str]]) -> None:
    with (root / "bank" / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


def _returned(config: Path) -> dict[str, dict[str, str]]:
    rows = csv.DictReader(io.StringIO(_cli(config, "review", "list", "--format", "csv")))
    return {r["bank_transaction_id"]: r for r in rows if r["reason"] == "returned_payment"}


def test_a_returned_item_claws_the_commission_back_in_its_own_period(tmp_path: Path) -> None:
    config = make_quickstart(tmp_path)
    _cli(config, "run", "--once")
    october = _report(config, "2026-10-01", "2026-10-31")
    _cli(config, "commissions", "close", "--period", "2026-10", "--as", "payroll")

    _statement(
        tmp_path, "later.csv", [("11/16/2026", "RETURNED ITEM NSF COBALT", "-700.00", "TX90")]
    )
    _cli(config, "run", "--once")
    _cli(config, "run", "--once")

    assert october == [("R-EAST", "INV-2005", "TX1", "2026-10-31", "700.00", "35.00")]
    assert _report(config, "2026-10-01", "2026-10-31") == october
    november = _report(config, "2026-11-01", "2026-11-30")
    assert [r for r in november if r[2] == "TX90"] == [
        ("R-EAST", "INV-2005", "TX90", "2026-11-16", "-700.00", "-35.00")
    ]
    assert "returned payment TX1 of 700.00" in _returned(config)["TX90"]["message"]


def test_a_debit_that_is_no_returned_item_changes_nothing(tmp_path: Path) -> None:
    config = make_quickstart(tmp_path)
    _statement(tmp_path, "december.csv", [("12/03/2026", "WIRE FEE ACME", "-1000.10", "TX91")])
    _cli(config, "run", "--once")

    assert not [r for r in _report(config, "2026-12-01", "2026-12-31") if r[4].startswith("-")]
    assert _returned(config) == {}


def test_two_payments_it_may_have_returned_are_left_to_a_person(tmp_path: Path) -> None:
    config = make_quickstart(tmp_path)
    amount = next(a for _, _, a, tx in BANK if tx == "TX4")  # 500.00
    _statement(
        tmp_path,
        "more.csv",
        [
            ("11/11/2026", "BRIGHTWATER FOODS INV-2006", amount, "TX80"),
            ("11/20/2026", "NSF RETURN", f"-{amount}", "TX92"),
        ],
    )
    _cli(config, "run", "--once")

    november = _report(config, "2026-11-01", "2026-11-30")
    assert {r[2] for r in november} >= {"TX4", "TX80"}  # both 500.00 payments applied
    assert not [r for r in november if r[2] == "TX92"]
    assert "one of TX4 TX80" in _returned(config)["TX92"]["message"]
