"""The receivables pages over real HTTP after a real cycle on the demo data."""

from __future__ import annotations

import re

import httpx

from arbridge.app import App
from arbridge.store import ar_collections
from arbridge.web.auth import add_user
from tests.web.conftest import PASSWORD


def _login(client: httpx.Client, name: str) -> str:
    assert client.post("/login", data={"name": name, "password": PASSWORD}).status_code == 303
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/ar").text)
    assert token is not None
    return token.group(1)


def test_ar_pages_need_a_login(client: httpx.Client) -> None:
    for path in ("/ar", "/ar/worklist", "/ar/customers/C001"):
        assert client.get(path).status_code == 303


def test_the_ar_page_shows_aging_kpis_guardrails_and_the_trend(client: httpx.Client) -> None:
    _login(client, "vic")
    page = client.get("/ar", params={"as_of": "2026-11-30"}).text

    aging = page[page.index('<table id="aging">') :]
    assert re.search(
        r"C004</a></td><td>Delta Harbor Logistics Co</td><td class=\"num\">0.00</td><td class=\"num\">1520.00</td>",
        aging,
    )
    assert '<th>TOTAL</th><th></th><th class="num">0.00</th><th class="num">1600.50</th>' in aging
    assert '<td>1600.50</td><td class="num">100.0%</td>' in page  # KPIs: all of it past due
    assert "Guardrail breached: past_due_share 1.0000" in page  # the cycle checked it
    assert page.count("<rect ") == 5  # one stored day, five buckets


def test_the_worklist_page_filters(client: httpx.Client, demo: App) -> None:
    _login(client, "vic")
    page = client.get("/ar/worklist", params={"as_of": "2026-11-30"}).text
    assert 'href="/ar/customers/C001"' in page
    assert 'href="/ar/customers/C004"' in page

    from datetime import UTC, datetime

    add_user(demo.store, "bob", PASSWORD, "collector")
    with demo.store.transaction() as session:
        ar_collections.set_profile(
            session, "books", "C004", {"collector": "bob"}, actor="t", now=datetime.now(UTC)
        )
    mine = client.get("/ar/worklist", params={"as_of": "2026-11-30", "collector": "bob"}).text
    assert 'href="/ar/customers/C004"' in mine
    assert 'href="/ar/customers/C001"' not in mine


def test_a_clerk_records_notes_promises_and_disputes_a_viewer_cannot(client: httpx.Client) -> None:
    csrf = _login(client, "clara")
    base = "/ar/customers/C001"
    assert (
        client.post(
            f"{base}/note", data={"csrf": csrf, "text": "called AP", "kind": "call"}
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"{base}/promise", data={"csrf": csrf, "amount": "80.50", "by": "2099-12-05"}
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"{base}/dispute", data={"csrf": csrf, "invoice_id": "INV-1002", "reason": "price"}
        ).status_code
        == 303
    )
    wrong = client.post(
        f"{base}/dispute", data={"csrf": csrf, "invoice_id": "INV-1007", "reason": "x"}
    )
    assert wrong.status_code == 400  # not this customer's invoice

    page = client.get(base).text
    assert "clara [call] called AP" in page
    assert '<td>2099-12-05</td><td class="num">80.50</td><td>open</td>' in page
    assert "INV-1002: price (clara)" in page

    client.post("/logout", data={"csrf": csrf})
    viewer = _login(client, "vic")
    assert "Add note" not in client.get(base).text
    assert client.post(f"{base}/note", data={"csrf": viewer, "text": "x"}).status_code == 403
