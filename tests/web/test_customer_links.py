"""An admin edits the payer names and bank accounts learned for a customer on its page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
from sqlmodel import select

from arbridge.app import App
from arbridge.store import payer_links
from arbridge.store.tables import PayerLinkRow
from arbridge.web.auth import add_user
from tests.web.conftest import PASSWORD
from tests.web.test_web import _login

ACCOUNT = "DE89370400440532013000"


def _links(demo: App) -> dict[tuple[str, str], tuple[str, str, str | None]]:
    with demo.store.transaction() as session:
        rows = session.exec(select(PayerLinkRow).where(PayerLinkRow.customer_id == "C004"))
        return {(r.kind, r.key): (r.customer_id, r.origin, r.taught_by) for r in rows}


def _section(page: str) -> str:
    found = re.search(r'id="links">(.*?)</section>', page, re.S)
    assert found is not None
    return found.group(1)


def _ref(section: str, label: str) -> dict[str, str]:
    """The hidden fields of the form whose button has this label."""
    form = re.search(
        rf'<form [^>]*>((?:(?!</form>).)*aria-label="{re.escape(label)}"(?:(?!</form>).)*)</form>',
        section,
        re.S,
    )
    assert form is not None, label
    return dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(1)))


def test_an_admin_links_approves_and_unlinks_payers(client: httpx.Client, demo: App) -> None:
    add_user(demo.store, "ada", PASSWORD, "admin")
    with demo.store.transaction() as session:
        payer_links.propose(
            session, "books", kind="account", key=ACCOUNT, customer_id="C004", now=datetime.now(UTC)
        )
    csrf = _login(client, "ada")
    section = _section(client.get("/customers/C004").text)
    assert "waiting for an admin" in section
    assert ACCOUNT not in client.get("/customers/C004").text  # masked, even in the forms

    client.post(
        "/customers/C004/links",
        data={"csrf": csrf, "action": "add", "kind": "alias", "key": "DELTA  HARBOUR LOG"},
    )
    approve = _ref(section, f"Approve ••••{ACCOUNT[-4:]}")
    answer = client.post("/customers/C004/links", data=approve)
    assert "Approved the bank account" in client.get(answer.headers["location"]).text
    assert _links(demo) == {
        ("alias", "DELTA HARBOUR LOG"): ("C004", "admin", "ada"),
        ("account", ACCOUNT): ("C004", "admin", "ada"),
    }
    page = _section(client.get("/customers/C004").text)
    assert "ada, by hand" in page

    client.post("/customers/C004/links", data=_ref(page, "Remove DELTA HARBOUR LOG"))
    assert list(_links(demo)) == [("account", ACCOUNT)]


def test_a_link_to_another_customer_is_not_taken_over(client: httpx.Client, demo: App) -> None:
    add_user(demo.store, "ada", PASSWORD, "admin")
    with demo.store.transaction() as session:
        payer_links.learn(
            session,
            "books",
            kind="alias",
            key="ACME",
            customer_id="C001",
            origin="review",
            now=datetime.now(UTC),
        )
    csrf = _login(client, "ada")
    answer = client.post(
        "/customers/C004/links",
        data={"csrf": csrf, "action": "add", "kind": "alias", "key": "ACME"},
    )
    assert "is linked to C001: unlink it there" in client.get(answer.headers["location"]).text
    assert _links(demo) == {}


def test_only_an_admin_with_the_forms_token_edits_links(client: httpx.Client, demo: App) -> None:
    clerk = _login(client, "clara")
    assert 'id="add-link"' not in client.get("/customers/C004").text
    form = {"csrf": clerk, "action": "add", "kind": "alias", "key": "SOMEONE"}
    assert client.post("/customers/C004/links", data=form).status_code == 403
    client.post("/logout", data={"csrf": clerk})

    add_user(demo.store, "ada", PASSWORD, "admin")
    _login(client, "ada")
    assert client.post("/customers/C004/links", data={**form, "csrf": "forged"}).status_code == 403
    bad = {**form, "csrf": _login(client, "ada"), "kind": "phone"}
    assert client.post("/customers/C004/links", data=bad).status_code == 422
    assert client.post("/customers/NOPE/links", data={**bad, "kind": "alias"}).status_code == 404
    assert _links(demo) == {}
