"""The clerk's cockpit in Chromium: searches, saved filters, ticks, invoice search, pickers,
undo, the customer page, the users page and error pages (Debian's Chromium, Playwright)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from arbridge.app import App
from arbridge.scheduler import run_cycle
from arbridge.web.auth import add_user
from tests.web.conftest import PASSWORD

pytest.importorskip("playwright")
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Chromium is not installed (scripts/test-deps installs it as root): "
        "the browser tests did NOT run",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


def _login(browser: Browser, client: httpx.Client, name: str = "clara") -> tuple[Page, str]:
    base = str(client.base_url).rstrip("/")
    page = browser.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    page.wait_for_load_state("load")
    return page, base


def _filter(page: Page, **fields: str) -> None:
    page.get_by_role("link", name="clear", exact=True).click()
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Filter", exact=True).click()


def _rows(page: Page, bank_id: str) -> int:
    return page.locator("#queue tbody tr", has_text=bank_id).count()


def test_search_amount_range_and_a_saved_filter(browser: Browser, client: httpx.Client) -> None:
    page, base = _login(browser, client)
    _filter(page, Search="delta harbor")  # the customer's name
    expect(page.locator("#queue")).to_contain_text("TX0005")
    assert _rows(page, "TX0010") == 0
    _filter(page, Search="wire ref")  # the bank text
    expect(page.locator("#queue")).to_contain_text("TX0010")
    assert _rows(page, "TX0005") == 0
    _filter(page, Search="inv-1008")  # a suggested invoice's number
    expect(page.locator("#queue")).to_contain_text("TX0005")
    _filter(page, **{"Amount from": "300", "to": "400"})
    expect(page.locator("#queue")).to_contain_text("TX0010")
    assert _rows(page, "TX0005") == 0

    page.once("dialog", lambda dialog: dialog.accept("small ones"))
    page.get_by_role("button", name="Save this filter").click()
    page.goto(f"{base}/")
    assert _rows(page, "TX0005") == 1
    page.get_by_role("link", name="small ones").click()
    expect(page.locator("#queue")).to_contain_text("TX0010")
    assert _rows(page, "TX0005") == 0


def test_ticks_keep_a_running_total_and_a_found_invoice_is_applied_then_undone(
    browser: Browser, client: httpx.Client, demo: App, contract_data_any_store: Path
) -> None:
    page, _ = _login(browser, client)
    page.locator("#queue tbody tr", has_text="TX0010").get_by_role("link").first.click()
    page.get_by_label("Find open invoices").fill("brightwater")  # paid by TX0002, queued
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("nothing found for “brightwater”")).to_be_visible()
    page.get_by_label("Find open invoices").fill("delta harbor")  # not suggested for TX0010
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#cand-INV-1007")).to_contain_text("found")

    page.get_by_label("pick INV-1007").check()  # fills its open amount, up to the bank line's
    expect(page.get_by_label("amount for INV-1007")).to_have_value("312.40")
    expect(page.locator("#split-total")).to_have_text("312.40")
    expect(page.locator("#split-diff")).to_have_text("0.00")
    page.get_by_label("pick INV-1007").uncheck()
    expect(page.locator("#split-total")).to_have_text("0.00")
    expect(page.locator("#split-diff")).to_have_text("312.40")
    page.get_by_label("pick INV-1007").check()
    page.get_by_label("amount for INV-1007").fill("300.00")
    expect(page.locator("#split-diff")).to_have_text("12.40")
    page.get_by_label("amount for INV-1007").fill("312.40")
    page.get_by_role("button", name="Apply", exact=True).click()

    expect(page.locator("#notice")).to_contain_text("applied INV-1007 312.40")
    page.get_by_role("button", name="Undo item").click()
    expect(page.locator("#notice")).to_contain_text("undone: withdrew")
    expect(page.get_by_role("heading", name="Item")).to_contain_text("Open")
    run_cycle(demo.cycle_deps())
    applied = (contract_data_any_store / "out" / "applications.csv").read_text(encoding="utf-8")
    assert "TX0010" not in applied


def test_on_account_by_the_customers_name(
    browser: Browser, client: httpx.Client, demo: App, contract_data_any_store: Path
) -> None:
    page, _ = _login(browser, client)
    page.locator("#queue tbody tr", has_text="TX0010").get_by_role("link").first.click()
    page.get_by_label("Customer (name or id)").fill("Brightwater Foods LLC")
    page.get_by_role("button", name="Put on account").click()
    expect(page.locator("#notice")).to_contain_text("put on account of C002")
    run_cycle(demo.cycle_deps())
    applied = (contract_data_any_store / "out" / "applications.csv").read_text(encoding="utf-8")
    assert "TX0010,,C002,312.40" in applied


def test_an_admin_edits_links_on_the_customer_page_and_disables_a_user(
    browser: Browser, client: httpx.Client, demo: App
) -> None:
    add_user(demo.store, "ada", PASSWORD, "admin")
    page, base = _login(browser, client, "ada")
    page.goto(f"{base}/customers/C004")
    expect(page.get_by_role("heading", name="Delta Harbor Logistics Co")).to_be_visible()
    page.get_by_label("Name or account number").fill("DELTA HARBOR LOG")
    page.get_by_role("button", name="Link to Delta Harbor Logistics Co").click()
    expect(page.locator("#notice")).to_contain_text("Linked the payer name")
    expect(page.locator("#links")).to_contain_text("ada, by hand")
    page.get_by_role("button", name="Remove DELTA HARBOR LOG").click()
    expect(page.locator("#links")).to_contain_text("Nothing learned yet.")

    page.get_by_role("link", name="Users").click()
    page.get_by_role("button", name="Disable clara").click()
    expect(page.locator("#notice")).to_contain_text("clara: disabled")
    expect(page.locator("#users tr", has_text="clara")).to_contain_text("disabled")


def test_errors_are_pages_a_person_can_read(browser: Browser, client: httpx.Client) -> None:
    page, base = _login(browser, client)
    answer = page.goto(f"{base}/items/99999999999999999999")
    assert answer is not None
    assert answer.status == 422
    assert answer.headers["content-type"].startswith("text/html")
    expect(page.get_by_role("alert")).to_be_visible()
    answer = page.goto(f"{base}/customers/NOPE")
    assert answer is not None
    assert answer.status == 404
    expect(page.get_by_role("alert")).to_contain_text("There is no customer 'NOPE'")
    page.get_by_role("link", name="Back to the review queue").click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
