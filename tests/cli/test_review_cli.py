"""The review queue's CLI twins: filters, bulk state changes, comments, on account, not AR."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner, Result

from arbridge.cli import cli


def _invoke(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def _items(config: Path, *args: str) -> list[dict[str, str]]:
    result = _invoke(config, "review", "list", "--format", "csv", *args)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def _cycle(contract_data: Path) -> Path:
    config = contract_data / "arbridge.yaml"
    assert _invoke(config, "run", "--once").exit_code == 0
    return config


def test_list_filters_by_amount_customer_and_assignee(contract_data: Path) -> None:
    config = _cycle(contract_data)
    everything = _items(config)
    amounts = {i["item_id"]: Decimal(i["amount"]) for i in everything if i["amount"]}
    wanted = {k for k, v in amounts.items() if Decimal("100") <= v <= Decimal("1000")}
    assert wanted
    assert wanted != set(amounts)

    shown = _items(config, "--min-amount", "100", "--max-amount", "1000")
    assert {i["item_id"] for i in shown} == wanted

    customer = next(i["customer_id"] for i in everything if i["customer_id"])
    mine = _items(config, "--customer", customer)
    assert {i["customer_id"] for i in mine} == {customer}
    assert len(mine) == sum(i["customer_id"] == customer for i in everything)
    assert _items(config, "--older-than", "1") == []


def test_assign_and_dismiss_several_items_at_once(contract_data: Path) -> None:
    config = _cycle(contract_data)
    first, second, third = (i["item_id"] for i in _items(config)[:3])

    assigned = _invoke(config, "review", "assign", first, second, "--to", "bo", "--as", "clara")
    assert assigned.exit_code == 0
    assert "2 of 2 item(s) assigned to bo" in assigned.stdout
    assert {i["item_id"] for i in _items(config, "--assignee", "bo")} == {first, second}
    assert first not in {i["item_id"] for i in _items(config, "--assignee", "-")}

    dismissed = _invoke(config, "review", "dismiss", second, third, "999999", "--comment", "dup")
    assert dismissed.exit_code == 1
    assert "2 of 3 item(s) dismissed" in dismissed.stdout
    assert "review item 999999 does not exist" in dismissed.stderr
    assert {second, third}.isdisjoint(i["item_id"] for i in _items(config))


def test_comment_leaves_the_item_as_it_was(contract_data: Path) -> None:
    config = _cycle(contract_data)
    before = _items(config)[0]

    result = _invoke(config, "review", "comment", before["item_id"], "left a voicemail")

    assert result.exit_code == 0
    assert _items(config)[0] == before
    shown = _invoke(config, "review", "show", before["item_id"]).stdout
    assert "comment - left a voicemail" in shown


def test_on_account_posts_the_payment_as_credit_on_the_next_cycle(contract_data: Path) -> None:
    config = _cycle(contract_data)
    item = next(i for i in _items(config) if i["bank_transaction_id"] == "TX0005")

    result = _invoke(config, "review", "on-account", item["item_id"], "--customer", "C001")
    assert result.exit_code == 0, result.output
    _invoke(config, "run", "--once")

    with (contract_data / "out" / "applications.csv").open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["bank_transaction_id"] == "TX0005"]
    assert [(r["invoice_id"], r["customer_id"], Decimal(r["amount"])) for r in rows] == [
        ("", "C001", Decimal(item["amount"]))
    ]


def test_not_ar_sets_the_line_aside_and_posts_nothing(contract_data: Path) -> None:
    config = _cycle(contract_data)
    item = _items(config)[-1]
    output = contract_data / "out" / "applications.csv"
    before = output.read_bytes()

    result = _invoke(config, "review", "not-ar", item["item_id"], "--category", "interest")
    assert result.exit_code == 0
    _invoke(config, "run", "--once")

    assert item["item_id"] not in {i["item_id"] for i in _items(config)}
    assert output.read_bytes() == before
