"""The item page's "Correct (reverse and re-apply)" form, over the contract's csv ERP.

The csv ERP cannot reverse, so a correction made here ends as a posting_rejected item and
applications.csv keeps the original rows; what the form queues is checked in the store.
"""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from arbridge.app import App
from arbridge.review.resolutions import Resolver
from arbridge.scheduler import run_cycle
from arbridge.store import postings
from tests.web.conftest import PASSWORD

_760 = Decimal("760.00")


@pytest.fixture
def posted(demo: App) -> int:
    """TX0005's item, resolved to INV-1007 and posted to the ERP."""
    [item] = [i for i in demo.queue.open_items() if i.bank_transaction_id == "TX0005"]
    Resolver(demo.store, "books").apply(item.item_id, [("INV-1007", _760)], actor="clara")
    run_cycle(demo.cycle_deps())
    return item.item_id


def _login(client: httpx.Client, name: str) -> str:
    client.post("/login", data={"name": name, "password": PASSWORD})
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/").text)
    assert token is not None
    return token.group(1)


def _rows(data: Path) -> list[tuple[str, ...]]:
    with (data / "out" / "applications.csv").open(encoding="utf-8") as fh:
        return [tuple(r[:4]) for r in csv.reader(fh) if r[0] == "TX0005"]


def test_a_clerk_corrects_a_posted_item_and_the_erp_refusal_is_queued(
    demo: App, client: httpx.Client, posted: int, contract_data_any_store: Path
) -> None:
    csrf = _login(client, "clara")
    assert "Correct (reverse and re-apply)" in client.get(f"/items/{posted}").text

    answer = client.post(
        f"/items/{posted}/correct",
        data={
            "csrf": csrf,
            "invoice": ["INV-1008", "", ""],
            "amount": ["760.00", "", ""],
            "reason": "remittance said 1008",
        },
    )
    with demo.store.transaction() as session:
        queued = [e.application.idempotency_key for e in postings.pending(session, "books")]
    run_cycle(demo.cycle_deps())

    assert answer.status_code == 303
    assert [k.rsplit(":", 2)[1] for k in queued] == ["reverse", "reapply"]
    page = client.get(f"/items/{posted}").text
    assert "corrected: reverse INV-1007 760.00, re-apply INV-1008 760.00" in page
    assert _rows(contract_data_any_store) == [("TX0005", "INV-1007", "C004", "760.00")]
    rejected = client.get("/?reason=posting_rejected").text
    assert "TX0005" in rejected


def test_the_correct_form_needs_a_clerk_the_csrf_token_and_amounts_that_add_up(
    demo: App, client: httpx.Client, posted: int
) -> None:
    vic = _login(client, "vic")
    assert "Correct (reverse and re-apply)" not in client.get(f"/items/{posted}").text
    form = {"invoice": ["INV-1008"], "amount": ["700.00"], "reason": "x"}
    assert client.post(f"/items/{posted}/correct", data={**form, "csrf": vic}).status_code == 403
    client.post("/logout", data={"csrf": vic})
    clara = _login(client, "clara")

    forged = client.post(f"/items/{posted}/correct", data={**form, "csrf": "forged"})
    short = client.post(f"/items/{posted}/correct", data={**form, "csrf": clara})

    assert forged.status_code == 403
    assert (
        "the amounts add up to 700.00, the payment is 760.00"
        in client.get(short.headers["location"]).text
    )
    with demo.store.transaction() as session:
        assert list(postings.pending(session, "books")) == []


def test_an_item_with_nothing_posted_has_no_correct_form(demo: App, client: httpx.Client) -> None:
    _login(client, "clara")
    [item] = [i for i in demo.queue.open_items() if i.bank_transaction_id == "TX0005"]

    assert "Correct (reverse and re-apply)" not in client.get(f"/items/{item.item_id}").text


pytest.importorskip("playwright")
from playwright.sync_api import Browser, expect, sync_playwright  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed: the browser test did NOT run")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.mark.slow
def test_the_correct_form_totals_the_split_and_queues_it_in_the_browser(
    browser: Browser, client: httpx.Client, posted: int
) -> None:
    base = str(client.base_url).rstrip("/")
    page = browser.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("Name").fill("clara")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/items/{posted}")

    form = page.locator("#correct")
    form.get_by_label("Invoice").nth(0).fill("INV-1008")
    form.get_by_label("Invoice").nth(1).fill("INV-1007")
    form.get_by_label("Amount").nth(0).fill("400.00")
    form.get_by_label("Amount").nth(1).fill("360.00")
    form.get_by_label("Why").fill("split across both")
    expect(page.locator("#correct-total")).to_have_text("760.00")
    page.get_by_role("button", name="Reverse and re-apply").click()

    expect(page.locator("#notice")).to_contain_text(
        f"Item {posted}: corrected to INV-1008 400.00, INV-1007 360.00."
    )
    page.goto(f"{base}/items/{posted}")
    expect(
        page.get_by_text("re-apply INV-1008 400.00, INV-1007 360.00 (split across both)")
    ).to_be_visible()
