"""Random and hostile values to every route as every role: never a 5xx, and a refused
request changes nothing."""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from arbridge.app import App
from arbridge.store.tables import ApplicationRow, ReviewEventRow, ReviewItemRow, SettingRow
from arbridge.web.auth import add_user
from tests.web.conftest import PASSWORD

HOSTILE = [
    "",
    "0",
    "-1",
    "1",
    "2",
    "99999999999999999999",
    "1e999999",
    "-1e999999",
    "1e30",
    "NaN",
    "Infinity",
    "-0",
    "0.001",
    "760.00",
    "1,000.00",
    "INV-1007",
    "C002",
    "clara",
    "ghost",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "\x00",
    "../../etc/passwd",
    "é" * 300,
    "x" * 5000,
]
VALUES = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))
GETS = [
    "/",
    "/items/{id}",
    "/runs",
    "/export.csv",
    "/export.xlsx",
    "/settings",
    "/users",
    "/customers/{id}",
]
QUERY = [
    "page_no",
    "after",
    "before",
    "age",
    "min_amount",
    "max_amount",
    "q",
    "reason",
    "status",
    "customer",
    "find",
]
POSTS = {
    "/items/{id}/apply": ["invoice", "amount", "pick_invoice", "pick_amount", "back"],
    "/items/{id}/correct": ["invoice", "amount", "reason"],
    "/items/{id}/on-account": ["customer"],
    "/items/{id}/refund": ["customer"],
    "/items/{id}/write-off": ["invoice", "reason"],
    "/items/{id}/not-ar": ["category"],
    "/items/{id}/assign": ["assignee"],
    "/items/{id}/dismiss": ["comment"],
    "/items/{id}/comment": ["comment"],
    "/items/{id}/undo": ["back"],
    "/customers/{id}/links": ["action", "kind", "key", "ref"],
    "/items/{id}/reopen": ["comment"],
    "/items/{id}/{id}": ["comment"],
    "/bulk": ["item", "action", "assignee", "comment", "back"],
    "/settings": ["write_off_limit"],
    "/users/{id}": ["action", "role"],
    "/login": ["name", "password"],
}


FIELDS = sorted({field for fields in POSTS.values() for field in fields})


def _sessions(base: str, demo: App) -> dict[str, tuple[httpx.Client, str]]:
    add_user(demo.store, "ada", PASSWORD, "admin")
    clients = {}
    for name in ("vic", "clara", "ada"):
        client = httpx.Client(base_url=base, follow_redirects=False, timeout=30)
        client.post("/login", data={"name": name, "password": PASSWORD})
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/runs").text)
        assert token is not None, name
        clients[name] = (client, token.group(1))
    return clients


def _snapshot(demo: App) -> tuple[int, ...]:
    with demo.store.transaction() as session:
        return tuple(
            int(session.exec(select(func.count()).select_from(table)).one())
            for table in (ApplicationRow, ReviewEventRow, SettingRow)
        ) + tuple(
            int(n)
            for n in session.exec(
                select(func.count()).select_from(ReviewItemRow).group_by(ReviewItemRow.status)
            )
        )


@pytest.mark.slow
def test_no_route_answers_5xx_and_refusals_change_nothing(
    client: httpx.Client, demo: App, store_url: str
) -> None:
    if not store_url.startswith("sqlite"):
        pytest.skip("one database is enough for the fuzz test")
    clients = _sessions(str(client.base_url), demo)

    @settings(
        max_examples=250,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        role=st.sampled_from(sorted(clients)),
        post=st.booleans(),
        route=st.sampled_from([*GETS, *POSTS]),
        path_id=VALUES,
        values=st.dictionaries(st.sampled_from([*QUERY, *FIELDS]), VALUES),
        good_token=st.booleans(),
    )
    def hit(
        *, role: str, post: bool, route: str, path_id: str, values: dict[str, str], good_token: bool
    ) -> None:
        http, token = clients[role]
        path = route.replace("{id}", quote(path_id, safe="") or "1")
        before = _snapshot(demo)
        if post or route in POSTS:
            data = {**values, "csrf": token if good_token else values.get("csrf", "forged")}
            answer = http.post(path, data=data)
        else:
            answer = http.get(path, params=values)
        assert answer.status_code < 500, (role, path, values, answer.text[:500])
        if answer.status_code >= 400 and path != "/login":
            assert _snapshot(demo) == before, (role, path, values)

    try:
        hit()
    finally:
        for http, _ in clients.values():
            http.close()
