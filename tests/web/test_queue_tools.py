"""The queue's filters, counts, bulk actions, comments and the admin's limits page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlmodel import col, update

from arbridge.app import App
from arbridge.review import ReviewItemView
from arbridge.review.limits import Limits, WriteOffPolicy
from arbridge.store.tables import BankLineRow, ReviewItemRow
from arbridge.web.auth import add_user
from tests.web.conftest import PASSWORD
from tests.web.test_web import _item_id, _login


def _shown_ids(page: str) -> set[int]:
    return {int(n) for n in re.findall(r'<a href="/items/(\d+)[^"]*">\d+</a>', page)}


def _open(demo: App) -> list[ReviewItemView]:
    return demo.queue.open_items()


def test_filters_by_amount_customer_assignee_and_age(client: httpx.Client, demo: App) -> None:
    _login(client, "clara")
    items = _open(demo)
    low, high = Decimal("100"), Decimal("1000")
    in_range = {i.item_id for i in items if i.amount is not None and low <= i.amount <= high}
    assert in_range, "the demo must have items in the range for this test to mean anything"
    assert in_range != {i.item_id for i in items}

    assert _shown_ids(client.get("/?min_amount=100&max_amount=1,000").text) == in_range

    customer = next(i.customer_id for i in items if i.customer_id)
    wanted = {i.item_id for i in items if i.customer_id == customer}
    assert _shown_ids(client.get(f"/?customer={customer}").text) == wanted

    first = items[0].item_id
    demo.queue.assign(first, "clara", actor="test")
    assert _shown_ids(client.get("/?assignee=clara").text) == {first}
    assert first not in _shown_ids(client.get("/?assignee=-").text)

    old_bank_date = (datetime.now(UTC) - timedelta(days=40)).date()
    with demo.store.transaction() as session:
        line_id = session.get(ReviewItemRow, first).bank_line_id  # type: ignore[union-attr] # exists
        session.exec(
            update(BankLineRow)
            .where(col(BankLineRow.id) == line_id)
            .values(booked_on=old_bank_date)
        )
        session.exec(  # the item keeps a copy of its line's date (lines never change dates)
            update(ReviewItemRow)
            .where(col(ReviewItemRow.id) == first)
            .values(booked_on=old_bank_date)
        )
    assert _shown_ids(client.get("/?age=30").text) == {first}  # counted from the bank date


def test_counts_by_reason_follow_the_other_filters(client: httpx.Client, demo: App) -> None:
    _login(client, "clara")
    items = _open(demo)
    page = client.get("/?min_amount=100").text
    counts = {
        reason: int(n)
        for reason, n in re.findall(
            r'reason=([a-z_]+)" title="[a-z_]+">[^<]+</a></td>\s*<td class="num">(\d+)<', page
        )
    }
    expected: dict[str, int] = {}
    for i in items:
        if i.amount is not None and i.amount >= 100:
            expected[i.reason] = expected.get(i.reason, 0) + 1
    assert counts == expected


def test_a_bad_filter_value_is_named_and_ignored(client: httpx.Client, demo: App) -> None:
    _login(client, "clara")
    page = client.get("/?min_amount=lots&age=old").text
    assert "min amount: &#39;lots&#39; is not an amount" in page
    assert "age: &#39;old&#39; is not a number of days" in page
    assert _shown_ids(page) == {i.item_id for i in _open(demo)}


def test_bulk_assign_and_dismiss(client: httpx.Client, demo: App) -> None:
    csrf = _login(client, "clara")
    first, second, third = (i.item_id for i in _open(demo)[:3])

    response = client.post(
        "/bulk", data={"csrf": csrf, "item": [first, second], "action": "assign", "assignee": "bo"}
    )
    assert "nobody who may take items is called &#39;bo&#39;" in client.get("/").text
    add_user(demo.store, "bo", PASSWORD, "clerk")
    response = client.post(
        "/bulk", data={"csrf": csrf, "item": [first, second], "action": "assign", "assignee": "bo"}
    )
    assert response.status_code == 303
    assert "assign: 2 of 2 done" in client.get(response.headers["location"]).text
    assert {i.item_id for i in demo.queue.open_items(assignee="bo")} == {first, second}

    client.post("/bulk", data={"csrf": csrf, "item": [third], "action": "dismiss"})
    assert "dismiss: 0 of 1 done" in client.get("/").text  # a dismissal needs a reason
    client.post(
        "/bulk",
        data={
            "csrf": csrf,
            "item": [second, third],
            "action": "dismiss",
            "comment": "handled by phone",
        },
    )
    still_open = {i.item_id for i in _open(demo)}
    assert first in still_open
    assert not {second, third} & still_open
    _, trail = demo.queue.show(third)
    assert trail[-1]["comment"] == "handled by phone"
    assert trail[-1]["actor"] == "clara"


def test_bulk_needs_a_clerk_and_a_csrf_token(client: httpx.Client, demo: App) -> None:
    item = _open(demo)[0].item_id
    csrf = _login(client, "vic")
    assert client.post("/bulk", data={"csrf": csrf, "item": [item]}).status_code == 403
    client.cookies.clear()
    _login(client, "clara")
    assert client.post("/bulk", data={"csrf": "forged", "item": [item]}).status_code == 403
    assert _open(demo)[0].assignee is None


def test_a_comment_goes_on_the_trail_without_changing_the_item(
    client: httpx.Client, demo: App
) -> None:
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0005")
    before, _ = demo.queue.show(item)

    client.post(f"/items/{item}/comment", data={"csrf": csrf, "comment": "called the customer"})

    after, trail = demo.queue.show(item)
    assert (after.status, after.assignee) == (before.status, before.assignee)
    assert (trail[-1]["action"], trail[-1]["comment"]) == ("comment", "called the customer")
    assert "called the customer" in client.get(f"/items/{item}").text


@pytest.fixture
def admin(demo: App) -> App:
    add_user(demo.store, "ada", PASSWORD, "admin")
    return demo


def test_only_an_admin_changes_the_write_off_limit(client: httpx.Client, admin: App) -> None:
    csrf = _login(client, "clara")
    assert client.get("/settings").status_code == 403
    refused = client.post("/settings", data={"csrf": csrf, "write_off_limit": "500"})
    assert refused.status_code == 403

    client.cookies.clear()
    csrf = _login(client, "ada")
    assert 'href="/settings"' in client.get("/").text
    bad = client.post("/settings", data={"csrf": csrf, "write_off_limit": "-5"})
    assert "the limit is an amount of 0 or more" in client.get(bad.headers["location"]).text
    client.post("/settings", data={"csrf": csrf, "write_off_limit": "25.50"})

    assert Limits(admin.store, WriteOffPolicy()).write_off().limit == Decimal("25.50")
    assert 'value="25.50"' in client.get("/settings").text


def test_the_item_page_shows_the_bank_line_and_its_source_file(
    client: httpx.Client, demo: App
) -> None:
    _login(client, "clara")
    item = _item_id(client, "TX0005")

    page = client.get(f"/items/{item}").text

    shown = demo.queue.evidence(item)
    assert shown is not None
    assert shown["file"] == "statement-2026-11.csv"
    assert re.search(r'id="source-file">statement-2026-11\.csv, line \d+', page)
    assert shown["description"] in page


def test_a_payer_account_number_is_never_shown_whole(client: httpx.Client, demo: App) -> None:
    _login(client, "clara")
    item = _item_id(client, "TX0005")
    iban = "DE89370400440532013000"
    with demo.store.transaction() as session:
        row = session.get(ReviewItemRow, item)
        assert row is not None
        line = session.get(BankLineRow, row.bank_line_id)
        assert line is not None
        line.payer_account = iban
        session.add(line)

    page = client.get(f"/items/{item}").text

    assert iban not in page
    assert "account ••••3000" in page
