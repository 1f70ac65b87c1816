"""The queue over many items: keyset pages, totals, search and both exports agree with the store."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from arbridge.app.webserver import start_in_thread
from arbridge.review import ReviewQueue
from arbridge.store import Store, create_store_engine, upgrade
from arbridge.store.cockpit import AGE_BUCKETS
from arbridge.web.app import create_app
from arbridge.web.auth import add_user
from arbridge.web.export import invoice_ids
from arbridge.web.throttle import Backoff, LoginThrottle
from bench.review_queue import REASONS, fill
from tests.web.conftest import PASSWORD

N = 130


@pytest.fixture
def big(store_url: str) -> Iterator[tuple[Store, httpx.Client]]:
    store = Store(create_store_engine(store_url))
    upgrade(store.engine)
    fill(store, N)
    add_user(store, "clara", PASSWORD, "clerk")
    served = start_in_thread(create_app(store, erp="books"))
    with httpx.Client(base_url=served.url, follow_redirects=False, timeout=30) as http:
        assert http.post("/login", data={"name": "clara", "password": PASSWORD}).status_code == 303
        yield store, http
    served.stop()
    store.dispose()


def _ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<a href="/items/(\d+)[^"]*">\d+</a>', page)]


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}"', page)
    return found.group(1).replace("&amp;", "&") if found else None


def test_next_and_previous_links_walk_every_item_once(big: tuple[Store, httpx.Client]) -> None:
    store, http = big
    everything = sorted(i.item_id for i in ReviewQueue(store).open_items(limit=N + 10))
    pages: list[list[int]] = []
    url: str | None = "/"
    while url is not None:
        page = http.get(url).text
        pages.append(_ids(page))
        url = _link(page, "next")
    assert [i for p in pages for i in p] == everything
    assert [len(p) for p in pages] == [50, 50, N - 100]

    back: list[list[int]] = []
    url = _link(http.get(f"/?after={pages[-2][-1]}").text, "prev")
    while url is not None:
        page = http.get(url).text
        back.append(_ids(page))
        url = _link(page, "prev")
    assert back == [pages[1], pages[0]]


def test_a_filtered_walk_keeps_its_filter(big: tuple[Store, httpx.Client]) -> None:
    store, http = big
    reason = REASONS[3]
    wanted = [i.item_id for i in ReviewQueue(store).open_items(reason=reason, limit=N)]
    page = http.get(f"/?reason={reason}").text
    assert _ids(page) == wanted  # fewer than a page: no next link
    assert _link(page, "next") is None
    assert f"{len(wanted)} matching" in page


def _cells(page: str, table: str) -> dict[str, tuple[int, str]]:
    body = page.split(f'id="{table}"')[1].split("</table>", maxsplit=1)[0]
    rows = re.findall(
        r'<td>(?:<a [^>]*>)?([^<]+)(?:</a>)?</td>\s*<td class="num">(\d+)</td><td class="num">([\d,.]+)</td>',
        body,
    )
    return {name: (int(n), cash) for name, n, cash in rows}


def test_totals_by_age_and_reason_equal_a_sum_by_hand(big: tuple[Store, httpx.Client]) -> None:
    store, http = big
    today = datetime.now(UTC).date()
    items = ReviewQueue(store).open_items(limit=N + 10)
    # fill() books item i on today - (i % 90) days, in id order
    by_age: dict[str, list[Decimal]] = {}
    for n, item in enumerate(sorted(items, key=lambda i: i.item_id)):
        days = (today - (today - timedelta(days=n % 90))).days
        name = next(
            (b for b, top in zip(AGE_BUCKETS, (2, 7, 30), strict=False) if days <= top),
            AGE_BUCKETS[3],
        )
        by_age.setdefault(name, []).append(item.amount or Decimal(0))
    shown = _cells(http.get("/").text, "by-age")
    assert shown == {k: (len(v), f"{sum(v):,.2f}") for k, v in by_age.items()}

    reason = REASONS[5]
    mine = [i.amount or Decimal(0) for i in items if i.reason == reason]
    page = http.get(f"/?min_amount=0&reason={reason}").text
    assert f"{len(mine)} matching" in page
    assert sum(n for n, _ in _cells(page, "by-age").values()) == len(mine)


def test_search_finds_bank_text_invoice_numbers_and_customer_names(
    big: tuple[Store, httpx.Client],
) -> None:
    _, http = big
    # fill(): line i says "PAYMENT i", suggests INV-i, and belongs to customer C(i % 500)
    assert _ids(http.get("/?q=payment+77").text) == [78]
    assert _ids(http.get("/?q=inv-12").text) == sorted([13, *range(121, 131)])
    assert _ids(http.get("/?q=customer+7+ltd").text) == [8]
    assert _ids(http.get("/?q=100%25").text) == []  # a % is a character, not a wildcard


def test_exports_hold_the_filter_in_csv_and_xlsx(big: tuple[Store, httpx.Client]) -> None:
    store, http = big
    wanted = {
        i.item_id: i
        for i in ReviewQueue(store).open_items(limit=N + 10)
        if i.amount is not None and i.amount >= Decimal(1000)
    }
    text = http.get("/export.csv?min_amount=1000")
    rows = list(csv.DictReader(io.StringIO(text.text)))
    assert {int(r["item"]) for r in rows} == set(wanted)

    answer = http.get("/export.xlsx?min_amount=1000")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="review-' in answer.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(answer.content), read_only=True).active
    assert sheet is not None
    header, *cells = list(sheet.iter_rows(values_only=True))
    assert header[:5] == ("item", "status", "reason", "reason_code", "amount")
    assert {r[0] for r in cells} == set(wanted)
    first = next(r for r in cells if r[0] == min(wanted))
    assert Decimal(str(first[4])) == wanted[min(wanted)].amount
    assert first[11] == " ".join(wanted[min(wanted)].suggested_invoice_ids)


def test_an_export_with_a_bad_filter_is_refused_by_name(big: tuple[Store, httpx.Client]) -> None:
    _, http = big
    answer = http.get("/export.xlsx?min_amount=lots", headers={"accept": "application/json"})
    assert answer.status_code == 422
    assert "min amount" in answer.text


@given(
    st.lists(
        st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=12), max_size=4),
        max_size=3,
    ),
    st.text(max_size=30),
)
def test_invoice_numbers_read_from_the_json_text_equal_a_full_decode(
    lists: list[list[str]], explanation: str
) -> None:
    suggestions = [{"invoice_ids": ids, "explanation": explanation} for ids in lists]
    expected: list[str] = []
    for ids in lists:
        expected += [i for i in ids if i not in expected]
    assert invoice_ids(json.dumps(suggestions)) == expected
    assert invoice_ids(suggestions) == expected


def test_an_address_is_throttled_whatever_the_account_it_tries() -> None:
    now = [50.0]
    throttle = LoginThrottle(per_address=Backoff(free=3), clock=lambda: now[0])
    for n in range(2):
        throttle.failed(f"user{n}", "10.0.0.7")
    assert throttle.address_retry_after("10.0.0.7") == 0  # 3 tries are free
    throttle.failed("user9", "10.0.0.7")
    assert throttle.address_retry_after("10.0.0.7") == pytest.approx(1.0)
    assert throttle.address_retry_after("10.0.0.8") == 0
    now[0] += 1.5
    assert throttle.address_retry_after("10.0.0.7") == 0
