"""The clerk's view: plain reasons, names, candidate figures, totals, export, next item."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
from sqlmodel import col, update

from arbridge.app import App
from arbridge.scheduler import run_cycle
from arbridge.store import payer_links
from arbridge.store.tables import BankLineRow, CustomerRow, InvoiceRow, ReviewItemRow
from tests.web.test_web import _applications, _item_id, _login


def test_the_queue_speaks_plainly(client: httpx.Client, demo: App) -> None:
    _login(client, "clara")
    page = client.get("/").text

    assert '<td title="lookalike_invoices">Two or more invoices look alike</td>' in page
    assert '>Delta Harbor Logistics Co</a> <span class="code">C004</span>' in page
    assert "DELTA HARBOR LOGISTICS ACH CREDIT" in page
    with demo.store.transaction() as session:
        booked = session.get(BankLineRow, _line_of(demo, "TX0005")).booked_on  # type: ignore[union-attr] # exists
    days = (datetime.now(UTC).date() - booked).days
    assert re.search(rf"TX0005</span></td>.*?<td class=\"num\">{days} d</td>", page, re.S)


def test_the_item_page_shows_each_candidates_figures(client: httpx.Client, demo: App) -> None:
    _login(client, "clara")
    item = _item_id(client, "TX0005")
    page = client.get(f"/items/{item}").text
    with demo.store.transaction() as session:
        invoices = {i: session.get(InvoiceRow, ("books", i)) for i in ("INV-1007", "INV-1008")}
    view, _ = demo.queue.show(item)

    for invoice_id, row in invoices.items():
        assert row is not None
        cells = re.search(rf'<tr id="cand-{invoice_id}">(.*?)</tr>', page, re.S)
        assert cells is not None, invoice_id
        text = cells.group(1)
        assert str(row.due_date) in text
        assert f"{row.amount:,.2f}" in text
        assert f"{row.open_amount:,.2f}" in text
        score = next(s["confidence"] for s in view.suggestions if invoice_id in s["invoice_ids"])
        assert f"{100 * score:.0f}%" in text


def test_totals_by_reason_and_by_bank_date_age(client: httpx.Client, demo: App) -> None:
    _login(client, "clara")
    items = demo.queue.open_items()
    old = next(i for i in items if i.bank_transaction_id == "TX0005")
    long_ago = (datetime.now(UTC) - timedelta(days=45)).date()
    with demo.store.transaction() as session:  # as if the line had been booked 45 days ago
        session.exec(
            update(BankLineRow)
            .where(col(BankLineRow.id) == _line_of(demo, "TX0005"))
            .values(booked_on=long_ago)
        )
        session.exec(  # the item keeps a copy of its line's date (lines never change dates)
            update(ReviewItemRow)
            .where(col(ReviewItemRow.id) == old.item_id)
            .values(booked_on=long_ago)
        )
    page = client.get("/").text

    total = sum((i.amount or Decimal(0) for i in items), Decimal("0.00"))
    assert f"Open cash by reason ({len(items)} items, {total:,.2f})" in page
    over_30 = re.search(
        r'<td>over 30 days</td><td class="num">(\d+)</td><td class="num">([\d,.]+)<', page
    )
    assert over_30 is not None
    assert (int(over_30.group(1)), over_30.group(2)) == (1, f"{old.amount:,.2f}")


def test_export_is_the_filtered_queue_as_csv(client: httpx.Client, demo: App) -> None:
    _login(client, "clara")
    answer = client.get("/export.csv?min_amount=100")

    rows = list(csv.DictReader(io.StringIO(answer.text)))
    expected = {
        str(i.item_id) for i in demo.queue.open_items() if i.amount is not None and i.amount >= 100
    }
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    assert {r["item"] for r in rows} == expected
    lookalike = next(r for r in rows if r["bank_id"] == "TX0005")
    assert lookalike["reason"] == "Two or more invoices look alike"
    assert lookalike["customer"] == "Delta Harbor Logistics Co"
    assert lookalike["suggested_invoices"] == "INV-1007 INV-1008"


def test_search_by_customer_name_invoice_number_amount_and_bank_text(
    client: httpx.Client, demo: App
) -> None:
    _login(client, "clara")
    lookalike = _item_id(client, "TX0005")
    for q in ("delta harbor", "INV-1008", "760.00", "ACH CREDIT"):
        page = client.get("/", params={"q": q}).text
        assert f'href="/items/{lookalike}?' in page, q
    assert "Nothing to review." in client.get("/", params={"q": "no such thing"}).text


def test_on_account_by_customer_name_and_a_clear_refusal_when_ambiguous(
    client: httpx.Client, demo: App, contract_data_any_store: Path
) -> None:
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0010")
    with demo.store.transaction() as session:
        session.add(
            CustomerRow(
                erp="books",
                customer_id="C009",
                name="Acme Industrial Supply Inc",
                seen_at=datetime.now(UTC),
            )
        )

    twice = client.post(
        f"/items/{item}/on-account", data={"csrf": csrf, "customer": "acme industrial supply inc"}
    )
    refused = client.get(twice.headers["location"]).text
    assert "2 customers are called" in refused
    assert "C001" in refused
    assert "C009" in refused
    assert demo.queue.show(item)[0].status == "open"

    client.post(
        f"/items/{item}/on-account", data={"csrf": csrf, "customer": "Brightwater Foods LLC"}
    )
    run_cycle(demo.cycle_deps())
    assert ("TX0010", "", "C002", "312.40") in _applications(contract_data_any_store)


def test_a_resolution_confirms_and_opens_the_next_item_of_the_filter(
    client: httpx.Client, demo: App
) -> None:
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0005")
    following = [i.item_id for i in demo.queue.open_items() if i.item_id > item]

    answer = client.post(
        f"/items/{item}/apply",
        data={"csrf": csrf, "invoice": "INV-1008", "amount": "760.00", "back": "status="},
    )

    assert answer.headers["location"] == f"/items/{following[0]}"
    page = client.get(answer.headers["location"]).text
    assert f"Item {item}: applied INV-1008 760.00. Here is the next item." in page
    assert f"Item {item}:" not in client.get(answer.headers["location"]).text  # shown once


def test_typing_one_amount_in_the_split_form_applies_just_that(
    client: httpx.Client, demo: App
) -> None:
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0005")
    page = client.get(f"/items/{item}").text
    assert 'name="invoice" size="12">' in page  # the free rows come empty

    client.post(
        f"/items/{item}/apply",
        data={
            "csrf": csrf,
            "pick_invoice": ["INV-1007", "INV-1008"],
            "pick_amount": ["", "760.00"],
            "invoice": ["", ""],
            "amount": ["", ""],
        },
    )

    view, trail = demo.queue.show(item)
    assert view.status == "resolved"
    assert trail[-1]["comment"] == "applied: INV-1008 760.00"


def test_a_search_on_the_item_page_finds_open_invoices_not_suggested(
    client: httpx.Client,
) -> None:
    _login(client, "clara")
    item = _item_id(client, "TX0010")
    page = client.get(f"/items/{item}", params={"find": "delta harbor"}).text
    assert '<tr id="cand-INV-1007">' in page
    assert '<tr id="cand-INV-1008">' in page
    # Brightwater's two invoices are open in the ERP's last read, but TX0002 paid them in
    # the cycle (queued and sent since): nothing is left to apply, so neither is offered
    paid = client.get(f"/items/{item}", params={"find": "brightwater"}).text
    assert "cand-INV-1003" not in paid
    assert "cand-INV-1004" not in paid
    assert "nothing found for" in paid


def _line_of(demo: App, bank_id: str) -> int:
    item = next(i for i in demo.queue.open_items() if i.bank_transaction_id == bank_id)
    with demo.store.transaction() as session:
        row = session.get(ReviewItemRow, item.item_id)
        assert row is not None
        assert row.bank_line_id is not None
        return row.bank_line_id


def test_the_customer_page_shows_invoices_payments_queue_and_what_was_learned(
    client: httpx.Client, demo: App
) -> None:
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0005")
    before = client.get("/customers/C004").text
    assert f'<a href="/items/{item}">{item}</a>' in before
    assert "INV-1007" in before
    assert "INV-1008" in before

    client.post(
        f"/items/{item}/apply", data={"csrf": csrf, "invoice": "INV-1008", "amount": "760.00"}
    )
    run_cycle(demo.cycle_deps())
    after = client.get("/customers/C004").text

    payments = re.search(r'id="payments">(.*?)</section>', after, re.S)
    assert payments is not None
    assert "TX0005" in payments.group(1)
    assert "INV-1008 760.00" in payments.group(1)
    assert "by a clerk" in payments.group(1)
    with demo.store.transaction() as session:
        payer_links.learn(
            session,
            "books",
            kind="account",
            key="DE89370400440532013000",
            customer_id="C004",
            origin="review",
            now=datetime.now(UTC),
        )
    learned = re.search(r'id="links">(.*?)</section>', client.get("/customers/C004").text, re.S)
    assert learned is not None
    assert "a clerk, resolving a payment" in learned.group(1)
    assert "3000" in learned.group(1)
    assert "DE89370400440532013000" not in learned.group(1)  # masked
    assert client.get("/customers/NOPE").status_code == 404


def test_the_age_table_names_the_reason_it_is_filtered_by(client: httpx.Client) -> None:
    """The reason table always shows every reason; the age table only the chosen one's."""
    _login(client, "clara")

    filtered = client.get("/", params={"reason": "tax_certificate"}).text
    unfiltered = client.get("/").text

    assert "Age since the bank date: " in filtered
    assert "Nothing open for this reason." in filtered
    assert "Age since the bank date</caption>" in unfiltered
