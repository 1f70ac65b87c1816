"""The collections customer page lists each place's contact details, as `arbridge run` serves it."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from arbridge.app import App, build_app
from arbridge.app.ar_contacts import configured_contacts
from arbridge.app.webserver import serve_web
from arbridge.config import load_settings
from arbridge.scheduler import run_cycle
from arbridge.store import ar_collections, ar_contacts
from arbridge.web.auth import add_user
from tests.web.conftest import PASSWORD

CONFIG = """\
web:
  listen: 127.0.0.1:{port}
ar:
  contacts:
    C004: {{name: Pat Lee, email: ap@delta.example, language: fr}}
  contacts_file: {data}/contacts.csv
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(contract_data: Path) -> Iterator[tuple[App, httpx.Client]]:
    """The demo with contacts in the ERP, the config and its file, served as the daemon does."""
    (contract_data / "contacts.csv").write_text(
        "customer_id,email,phone\nC002,billing@brightwater.example,+1 555 0102\n", encoding="utf-8"
    )
    customers = contract_data / "erp" / "customers.csv"
    header, *rows = customers.read_text(encoding="utf-8").splitlines()
    emails = {"C004": "erp-ar@delta.example"}
    rows = [f"{r},{emails.get(r.split(',')[0], '')}" for r in rows]
    customers.write_text("\n".join([f"{header},email", *rows]) + "\n", encoding="utf-8")
    config = contract_data / "arbridge.yaml"
    extra = CONFIG.format(port=_free_port(), data=contract_data)
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    app = build_app(load_settings(config))
    run_cycle(app.cycle_deps())
    add_user(app.store, "clara", PASSWORD, "clerk")
    server = serve_web(app.settings, app.store)
    base = f"http://{app.settings.web.listen}"
    with httpx.Client(base_url=base, follow_redirects=False) as client:
        assert (
            client.post("/login", data={"name": "clara", "password": PASSWORD}).status_code == 303
        )
        yield app, client
    server.should_exit = True
    app.store.dispose()


def _rows(page: str) -> dict[str, list[str]]:
    table = re.search(r'<table id="contacts">(.*?)</table>', page, re.S)
    assert table is not None
    rows = re.findall(r"<tr><td>(.*?)</td></tr>", table.group(1), re.S)
    return {cells[0]: cells[1:] for cells in (r.split("</td><td>") for r in rows)}


def _letters_go_to(app: App, customer: str) -> str | None:
    """The address the statement and dunning mailer would use."""
    with app.store.transaction() as session:
        found = ar_contacts.contacts(session, "books", configured_contacts(app.settings.ar))
    return found[customer].email


def test_every_source_of_a_contact_is_shown_by_name(served: tuple[App, httpx.Client]) -> None:
    app, client = served
    with app.store.transaction() as session:
        ar_collections.set_profile(
            session,
            "books",
            "C004",
            {"contact_email": "pat@delta.example"},
            actor="t",
            now=datetime.now(UTC),
        )
    page = client.get("/ar/customers/C004").text
    rows = _rows(page)

    assert rows["typed into arbridge"] == ["", "pat@delta.example", "", ""]
    assert rows["the ERP&#39;s customer record"] == ["", "erp-ar@delta.example", "", ""]
    assert rows["arbridge&#39;s config (ar.contacts, ar.contacts_file)"] == [
        "Pat Lee",
        "ap@delta.example",
        "",
        "fr",
    ]
    assert _letters_go_to(app, "C004") == "pat@delta.example"
    assert "letters go to pat@delta.example (Pat Lee), written in fr." in page


def test_a_contact_only_in_the_config_file_is_shown_and_used(
    served: tuple[App, httpx.Client],
) -> None:
    app, client = served
    page = client.get("/ar/customers/C002").text

    assert _rows(page) == {
        "arbridge&#39;s config (ar.contacts, ar.contacts_file)": [
            "",
            "billing@brightwater.example",
            "+1 555 0102",
            "",
        ]
    }
    assert _letters_go_to(app, "C002") == "billing@brightwater.example"
    assert "letters go to billing@brightwater.example." in page
    assert "No contact details" in client.get("/ar/customers/C001").text


def test_the_clerks_customer_page_links_to_the_contacts(served: tuple[App, httpx.Client]) -> None:
    _, client = served
    page = client.get("/customers/C004").text
    assert '<a href="/ar/customers/C004">Contacts and collections</a>' in page
