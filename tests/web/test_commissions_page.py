"""The commissions page: admins and sales managers read it; a sales manager sees nothing else."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from arbridge.app import build_app
from arbridge.app.webserver import commission_report, start_in_thread
from arbridge.cli import cli
from arbridge.config import load_settings
from arbridge.scheduler import run_cycle
from arbridge.web.app import create_app
from arbridge.web.auth import add_user
from tests.cli.test_commissions import make_quickstart

PASSWORD = "correct horse battery"
PERIOD = {"start": "2026-11-01", "end": "2026-11-30"}


@pytest.fixture
def books(tmp_path: Path) -> Path:
    config = make_quickstart(tmp_path)
    app = build_app(load_settings(config))
    run_cycle(app.cycle_deps())
    for name, role in (("ada", "admin"), ("sam", "sales_manager"), ("clara", "clerk")):
        add_user(app.store, name, PASSWORD, role)
    return config


@pytest.fixture
def client(books: Path) -> Iterator[httpx.Client]:
    settings = load_settings(books)
    app = build_app(settings)
    served = start_in_thread(
        create_app(app.store, erp="books", commissions=commission_report(settings, app.store))
    )
    with httpx.Client(base_url=served.url, follow_redirects=False) as http:
        yield http
    served.stop()


def _login(client: httpx.Client, name: str) -> httpx.Response:
    response = client.post("/login", data={"name": name, "password": PASSWORD})
    assert response.status_code == 303
    return response


def _cli_totals(config: Path) -> dict[str, Decimal]:
    result = CliRunner().invoke(
        cli,
        ["--config", str(config), "commissions", "--from", PERIOD["start"], "--to", PERIOD["end"]],
    )
    assert result.exit_code == 0, result.output
    out: dict[str, Decimal] = {}
    for r in csv.DictReader(io.StringIO(result.stdout)):
        out[r["sales_rep"]] = out.get(r["sales_rep"], Decimal(0)) + Decimal(r["commission"])
    return out


def _page_totals(page: str) -> dict[str, Decimal]:
    table = page.split('id="totals"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(
        r"<tr><td>([^<]+)</td>(?:<td[^>]*>[^<]*</td>\s*){4}<td class=\"num\">([^<]+)</td></tr>",
        table,
    )
    return {rep: Decimal(value.replace(",", "")) for rep, value in rows}


def test_a_sales_manager_lands_on_commissions_and_sees_the_cli_figures(
    client: httpx.Client, books: Path
) -> None:
    assert _login(client, "sam").headers["location"] == "/commissions"
    page = client.get("/commissions", params=PERIOD)

    assert page.status_code == 200, page.text[-800:]
    assert _page_totals(page.text) == _cli_totals(books)
    assert _cli_totals(books)  # the period has commission to show
    assert 'href="/"' not in page.text  # no link to pages it may not open


@pytest.mark.parametrize("path", ["/", "/runs", "/ar", "/clearing", "/users", "/items/1"])
def test_a_sales_manager_may_open_nothing_else(client: httpx.Client, path: str) -> None:
    _login(client, "sam")

    assert client.get(path).status_code == 403


def test_a_sales_manager_changes_nothing(client: httpx.Client) -> None:
    _login(client, "sam")
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/commissions").text)
    assert token is not None

    refused = client.post("/items/1/dismiss", data={"csrf": token.group(1), "note": "x"})
    assert refused.status_code == 403
    assert client.post("/logout", data={"csrf": token.group(1)}).status_code == 303


def test_admins_read_commissions_and_clerks_do_not(client: httpx.Client, books: Path) -> None:
    _login(client, "clara")
    assert client.get("/commissions").status_code == 403
    client.cookies.clear()
    _login(client, "ada")
    page = client.get("/commissions", params=PERIOD)
    assert page.status_code == 200
    assert _page_totals(page.text) == _cli_totals(books)


def test_a_bad_period_is_refused_with_why(client: httpx.Client) -> None:
    _login(client, "ada")

    response = client.get("/commissions", params={"start": "2026-11-30", "end": "2026-11-01"})
    assert response.status_code == 422
