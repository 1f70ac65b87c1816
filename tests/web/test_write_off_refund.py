"""Write-offs within the YAML limit and refunds, through the web page and the CLI."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from arbridge.app import App, build_app
from arbridge.cli import cli
from arbridge.config import load_settings
from arbridge.scheduler import run_cycle
from arbridge.web.auth import add_user
from tests.web.conftest import PASSWORD
from tests.web.test_web import _item_id

_REVIEW_YAML = """
review:
  write_off_limit: "5.00"
  write_off_reasons: [short_payment, bank_fee]
"""


@pytest.fixture
def demo(contract_data_any_store: Path) -> Iterator[App]:
    """The demo after one cycle, plus INV-2001 (315.00) that TX0010 (312.40) short-pays."""
    data = contract_data_any_store
    with (data / "erp" / "invoices.csv").open("a", encoding="utf-8") as fh:
        fh.write("INV-2001,C002,2026-10-20,2026-11-19,315.00,315.00,USD,NET30,\n")
    with (data / "arbridge.yaml").open("a", encoding="utf-8") as fh:
        fh.write(_REVIEW_YAML)
    app = build_app(load_settings(data / "arbridge.yaml"))
    run_cycle(app.cycle_deps())
    add_user(app.store, "clara", PASSWORD, "clerk")
    yield app
    app.store.dispose()


@pytest.fixture
def csrf(client: httpx.Client) -> str:
    client.post("/login", data={"name": "clara", "password": PASSWORD})
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/").text)
    assert token is not None
    return token.group(1)


def _rows(data: Path) -> list[dict[str, str]]:
    with (data / "out" / "applications.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_a_short_payment_within_the_limit_is_written_off_with_its_reason_once(
    demo: App, client: httpx.Client, csrf: str, contract_data_any_store: Path
) -> None:
    item = _item_id(client, "TX0010")

    client.post(
        f"/items/{item}/write-off", data={"csrf": csrf, "invoice": "INV-2001", "reason": "bank_fee"}
    )
    run_cycle(demo.cycle_deps())
    run_cycle(demo.cycle_deps())

    rows = [r for r in _rows(contract_data_any_store) if r["bank_transaction_id"] == "TX0010"]
    assert [
        (r["invoice_id"], r["customer_id"], r["amount"], r["adjustment"], r["adjustment_reason"])
        for r in rows
    ] == [("INV-2001", "C002", "312.40", "2.60", "bank_fee")]
    assert "wrote off 2.60 (bank_fee)" in client.get(f"/items/{item}").text


def test_a_write_off_above_the_limit_or_without_a_known_code_is_refused(
    demo: App, client: httpx.Client, csrf: str, contract_data_any_store: Path
) -> None:
    item = _item_id(client, "TX0010")

    over = client.post(
        f"/items/{item}/write-off", data={"csrf": csrf, "invoice": "INV-1007", "reason": "bank_fee"}
    )
    over_page = client.get(over.headers["location"]).text
    unknown = client.post(
        f"/items/{item}/write-off",
        data={"csrf": csrf, "invoice": "INV-2001", "reason": "felt_like_it"},
    )

    assert "writing off 447.60 is above the limit of 5.00" in over_page
    assert "is not one of short_payment, bank_fee" in client.get(unknown.headers["location"]).text
    run_cycle(demo.cycle_deps())
    assert "TX0010" not in {r["bank_transaction_id"] for r in _rows(contract_data_any_store)}


def test_refund_of_a_customer_posts_their_credit_and_of_a_stranger_posts_nothing(
    demo: App, client: httpx.Client, csrf: str, contract_data_any_store: Path
) -> None:
    stranger, lookalike = _item_id(client, "TX0010"), _item_id(client, "TX0005")

    client.post(f"/items/{stranger}/refund", data={"csrf": csrf, "customer": ""})
    client.post(f"/items/{lookalike}/refund", data={"csrf": csrf, "customer": "C004"})
    run_cycle(demo.cycle_deps())

    rows = {r["bank_transaction_id"]: r for r in _rows(contract_data_any_store)}
    assert "TX0010" not in rows
    assert (rows["TX0005"]["invoice_id"], rows["TX0005"]["customer_id"]) == ("", "C004")
    assert "marked for refund to the payer" in client.get(f"/items/{stranger}").text
    assert "marked for refund of C004" in client.get(f"/items/{lookalike}").text


def test_the_cli_twin_writes_off_too(
    demo: App, contract_data_any_store: Path, client: httpx.Client
) -> None:
    item = _item_id_after_login(client)
    config = str(contract_data_any_store / "arbridge.yaml")

    result = CliRunner().invoke(
        cli,
        [
            "--config",
            config,
            "review",
            "write-off",
            str(item),
            "--invoice",
            "INV-2001",
            "--reason",
            "short_payment",
            "--as",
            "cli",
        ],
    )

    assert result.exit_code == 0, result.output
    assert "resolved with a write-off" in result.output


def _item_id_after_login(client: httpx.Client) -> int:
    client.post("/login", data={"name": "clara", "password": PASSWORD})
    return _item_id(client, "TX0010")
