"""The finance web page over a real store after a real cycle on the demo data."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import httpx

from arbridge.app import App
from arbridge.scheduler import run_cycle
from arbridge.store.runs import recent_runs
from tests.web.conftest import PASSWORD


def _login(client: httpx.Client, name: str) -> str:
    response = client.post("/login", data={"name": name, "password": PASSWORD})
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    page = client.get("/").text
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert token is not None
    return token.group(1)


def _item_id(client: httpx.Client, bank_id: str) -> int:
    page = client.get("/?status=").text
    found = re.search(rf'<a href="/items/(\d+)[^"]*">\d+</a>(?:(?!</tr>).)*>{bank_id}<', page, re.S)
    assert found is not None, page
    return int(found.group(1))


def test_pages_need_a_login(client: httpx.Client) -> None:
    for path in ("/", "/items/1", "/runs"):
        response = client.get(path)
        assert (response.status_code, response.headers["location"]) == (303, "/login")


def test_wrong_password_is_refused_without_saying_which_part(client: httpx.Client) -> None:
    for name in ("clara", "nobody"):
        response = client.post("/login", data={"name": name, "password": "wrong"})
        assert response.status_code == 200
        assert "Wrong name or password." in response.text
        assert "set-cookie" not in response.headers


def test_queue_lists_and_filters_items(client: httpx.Client) -> None:
    _login(client, "clara")

    everything = client.get("/").text
    lookalikes = client.get("/?reason=lookalike_invoices").text

    assert "TX0005" in everything
    assert "TX0010" in everything
    assert "TX0005" in lookalikes
    assert "TX0010" not in lookalikes


def test_a_form_without_the_csrf_token_is_refused(client: httpx.Client) -> None:
    _login(client, "clara")
    item = _item_id(client, "TX0005")

    response = client.post(f"/items/{item}/assign", data={"csrf": "forged", "assignee": "x"})

    assert response.status_code == 403


def test_a_viewer_sees_but_cannot_resolve(client: httpx.Client) -> None:
    csrf = _login(client, "vic")
    item = _item_id(client, "TX0005")

    assert "Apply to" not in client.get(f"/items/{item}").text
    response = client.post(
        f"/items/{item}/apply", data={"csrf": csrf, "invoice": "INV-1007", "amount": "760.00"}
    )

    assert response.status_code == 403


def test_choosing_the_invoice_of_a_lookalike_posts_it_on_the_next_cycle(
    demo: App, client: httpx.Client, contract_data_any_store: Path
) -> None:
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0005")

    response = client.post(
        f"/items/{item}/apply", data={"csrf": csrf, "invoice": "INV-1008", "amount": "760.00"}
    )
    assert response.status_code == 303
    page = client.get(f"/items/{item}").text
    assert "resolved" in page
    assert "clara: resolve: applied: INV-1008 760.00" in page

    run_cycle(demo.cycle_deps())
    run_cycle(demo.cycle_deps())  # once only, however many cycles follow

    rows = _applications(contract_data_any_store)
    assert rows.count(("TX0005", "INV-1008", "C004", "760.00")) == 1


def test_a_payment_split_across_two_invoices_must_add_up(
    demo: App, client: httpx.Client, contract_data_any_store: Path
) -> None:
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0005")
    form = {"csrf": csrf, "invoice": ["INV-1007", "INV-1008"]}

    wrong = client.post(f"/items/{item}/apply", data={**form, "amount": ["400.00", "300.00"]})
    assert (
        "the amounts add up to 700.00, the payment is 760.00"
        in client.get(wrong.headers["location"]).text
    )

    client.post(f"/items/{item}/apply", data={**form, "amount": ["400.00", "360.00"]})
    run_cycle(demo.cycle_deps())

    rows = _applications(contract_data_any_store)
    assert ("TX0005", "INV-1007", "C004", "400.00") in rows
    assert ("TX0005", "INV-1008", "C004", "360.00") in rows


def test_run_page_shows_cycles_and_connectors(client: httpx.Client, demo: App) -> None:
    _login(client, "clara")

    page = client.get("/runs").text

    assert "operating" in page
    assert "books" in page
    with demo.store.transaction() as session:
        (run,) = recent_runs(session, limit=5)
    applied, queued = run.counts["applied"], run.counts["queued"]
    share = f"{100 * applied / (applied + queued):.1f}% ({applied} applied, {queued} queued)"
    assert share in page
    assert run.seconds is not None
    assert {"bank", "erp", "decide", "push", "cycle"} <= set(run.seconds)
    assert f"{run.seconds['cycle']:.1f} s" in page
    slowest = max(("bank", "erp", "decide", "push"), key=lambda phase: run.seconds[phase])  # type: ignore[index]  # run.seconds is JSON typed as object; the keys are the four phases
    assert f"{slowest} {run.seconds[slowest]:.1f} s" in page


def _applications(data: Path) -> list[tuple[str, ...]]:
    with (data / "out" / "applications.csv").open(encoding="utf-8") as fh:
        return [tuple(r[:4]) for r in list(csv.reader(fh))[1:]]


def test_unknown_payer_put_on_account_becomes_an_unapplied_credit_row(
    demo: App, client: httpx.Client, contract_data_any_store: Path
) -> None:
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0010")

    client.post(f"/items/{item}/on-account", data={"csrf": csrf, "customer": "C002"})
    run_cycle(demo.cycle_deps())

    assert ("TX0010", "", "C002", "312.40") in _applications(contract_data_any_store)
    assert "on account of C002" in client.get(f"/items/{item}").text


def test_interest_marked_not_receivable_is_closed_and_never_posted(
    demo: App, client: httpx.Client, contract_data_any_store: Path
) -> None:
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0012")

    client.post(f"/items/{item}/not-ar", data={"csrf": csrf, "category": "interest"})
    run_cycle(demo.cycle_deps())

    assert "not receivable: interest" in client.get(f"/items/{item}").text
    assert "TX0012" not in {r[0] for r in _applications(contract_data_any_store)}
    assert "TX0012" not in client.get("/").text
