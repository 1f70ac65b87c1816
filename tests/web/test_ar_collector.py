"""The collector role over real HTTP: collections work yes, cash items no, viewers read only."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
import pytest

from arbridge.app import App
from arbridge.store import ar_collections
from arbridge.web.auth import Role, add_user, permits
from tests.web.conftest import PASSWORD
from tests.web.test_web import _item_id

BASE = "/ar/customers/C001"


def _login(client: httpx.Client, name: str) -> str:
    assert client.post("/login", data={"name": name, "password": PASSWORD}).status_code == 303
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/ar").text)
    assert token is not None
    return token.group(1)


@pytest.fixture
def colin(demo: App) -> str:
    add_user(demo.store, "colin", PASSWORD, "collector")
    return "colin"


def test_the_role_ladder_with_the_collector_beside_it() -> None:
    assert permits(Role.COLLECTOR, Role.COLLECTOR)
    assert permits(Role.COLLECTOR, Role.VIEWER)
    assert not permits(Role.COLLECTOR, Role.CLERK)
    assert not permits(Role.COLLECTOR, Role.ADMIN)
    assert permits(Role.CLERK, Role.COLLECTOR)
    assert permits(Role.ADMIN, Role.COLLECTOR)
    assert not permits(Role.VIEWER, Role.COLLECTOR)


def test_a_collector_works_the_account(client: httpx.Client, colin: str) -> None:
    csrf = _login(client, colin)
    page = client.get(BASE).text
    assert "Add note" in page
    assert "Record plan" in page
    posts = {
        "note": {"text": "left a voicemail", "kind": "call"},
        "promise": {"amount": "40.00", "by": "2099-12-01"},
        "plan": {"name": "p1", "lines": "2099-12-15 100.00\n2100-01-15 50,000.50"},
        "dispute": {"invoice_id": "INV-1002", "reason": "short shipped"},
        "profile": {"collector": colin, "next_action": "2099-12-02"},
    }
    for form, data in posts.items():
        assert client.post(f"{BASE}/{form}", data={"csrf": csrf, **data}).status_code == 303, form

    page = client.get(BASE).text
    assert "colin [call] left a voicemail" in page
    assert '<td>2099-12-15</td><td class="num">100.00</td><td>open</td><td>p1</td>' in page
    assert '<td>2100-01-15</td><td class="num">50000.50</td><td>open</td><td>p1</td>' in page
    assert "INV-1002: short shipped (colin)" in page
    assert "Collector: colin" in page
    assert "Next action: 2099-12-02" in page


def test_a_collector_cannot_resolve_cash_items(client: httpx.Client, colin: str) -> None:
    csrf = _login(client, colin)
    item = _item_id(client, "TX0010")
    refused = client.post(
        f"/items/{item}/on-account", data={"csrf": csrf, "customer": "Brightwater Foods LLC"}
    )
    assert refused.status_code == 403
    assert client.post("/bulk", data={"csrf": csrf, "item": item}).status_code == 403


def test_a_collector_is_not_someone_to_take_cash_items(
    client: httpx.Client, demo: App, colin: str
) -> None:
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0010")
    answer = client.post(f"/items/{item}/assign", data={"csrf": csrf, "assignee": colin})
    shown = client.get(answer.headers["location"]).text
    assert "nobody who may take items is called" in shown


def test_the_assigned_collector_must_be_a_user_who_may_collect(
    client: httpx.Client, demo: App, colin: str
) -> None:
    csrf = _login(client, "clara")
    for name in ("nobody", "vic"):  # no such user; a viewer
        answer = client.post(f"{BASE}/profile", data={"csrf": csrf, "collector": name})
        assert answer.status_code == 400, name
        assert "not an enabled user with role collector" in answer.text
    with demo.store.transaction() as session, pytest.raises(ValueError, match="nobody"):
        ar_collections.set_profile(
            session, "books", "C001", {"collector": "nobody"}, actor="t", now=datetime.now(UTC)
        )
    assert (
        client.post(f"{BASE}/profile", data={"csrf": csrf, "collector": colin}).status_code == 303
    )
    assert "Collector: colin" in client.get(BASE).text


def test_a_viewer_reads_but_records_nothing(client: httpx.Client) -> None:
    csrf = _login(client, "vic")
    page = client.get(BASE).text
    assert "Record plan" not in page
    for form, data in {
        "plan": {"lines": "2099-12-15 10.00"},
        "profile": {"collector": "clara"},
        "promise": {"amount": "1.00", "by": "2099-12-01"},
        "dispute": {"invoice_id": "INV-1002", "reason": "x"},
    }.items():
        assert client.post(f"{BASE}/{form}", data={"csrf": csrf, **data}).status_code == 403, form


def test_a_bad_plan_line_is_named(client: httpx.Client, colin: str) -> None:
    csrf = _login(client, colin)
    answer = client.post(f"{BASE}/plan", data={"csrf": csrf, "lines": "2099-12-15 100\nsoon 5"})
    assert answer.status_code == 400
    assert "soon 5" in answer.text
    assert "expected YYYY-MM-DD AMOUNT" in answer.text
