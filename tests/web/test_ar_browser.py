"""The receivables pages in a real browser (Debian's Chromium, headless, Playwright)."""

from __future__ import annotations

import re

import httpx
import pytest

from arbridge.app import App
from arbridge.web.auth import add_user
from tests.web.conftest import PASSWORD
from tests.web.test_browser import CHROMIUM, browser

pytest.importorskip("playwright")
from playwright.sync_api import Browser, Page, expect

__all__ = ["browser"]  # the module-scoped Chromium of test_browser, used here too

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed: did NOT run"),
]
AS_OF = "2026-11-30"


def _login(page: Page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


@pytest.fixture
def colin(demo: App) -> str:
    add_user(demo.store, "colin", PASSWORD, "collector")
    return "colin"


def test_the_aging_table_and_chart(browser: Browser, client: httpx.Client, colin: str) -> None:
    base = str(client.base_url).rstrip("/")
    page = browser.new_page()
    _login(page, base, colin)
    page.goto(f"{base}/ar?as_of={AS_OF}")

    aging = page.locator("#aging")
    expect(aging.get_by_role("row", name="C004")).to_contain_text("1520.00")
    expect(aging.get_by_role("row", name=re.compile(r"^TOTAL "))).to_contain_text("1600.50")
    expect(page.locator("#kpis")).to_contain_text("100.0%")
    chart = page.get_by_role("img", name="aging buckets per day")
    expect(chart).to_be_visible()
    expect(chart.locator("rect")).to_have_count(5)
    aging.get_by_role("link", name="C004").click()
    expect(page.get_by_role("heading", name="Delta Harbor Logistics Co (C004)")).to_be_visible()


def test_the_worklist_filters(
    browser: Browser, client: httpx.Client, demo: App, colin: str
) -> None:
    base = str(client.base_url).rstrip("/")
    page = browser.new_page()
    _login(page, base, colin)
    page.goto(f"{base}/ar/customers/C004")
    page.get_by_label("Collector").select_option(colin)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#contact")).to_contain_text("Collector: colin")
    page.get_by_label("Promised amount").fill("500.00")
    page.get_by_label("by").fill("2099-12-05")
    page.get_by_role("button", name="Record promise").click()

    page.goto(f"{base}/ar/worklist?as_of={AS_OF}")
    worklist = page.locator("#worklist")
    expect(worklist.get_by_role("link", name="C001")).to_be_visible()
    page.get_by_label("Collector").select_option(colin)
    page.get_by_role("button", name="Filter").click()
    expect(worklist.get_by_role("link", name="C004")).to_be_visible()
    expect(worklist.get_by_role("link", name="C001")).to_have_count(0)

    page.get_by_label("Collector").select_option("")
    page.get_by_label("Held").select_option("only")
    page.get_by_role("button", name="Filter").click()
    expect(worklist.get_by_role("row", name="C004")).to_contain_text("promise open")
    expect(worklist.get_by_role("link", name="C001")).to_have_count(0)


def test_notes_promises_disputes_and_plans_from_the_customer_page(
    browser: Browser, client: httpx.Client, colin: str
) -> None:
    base = str(client.base_url).rstrip("/")
    page = browser.new_page()
    _login(page, base, colin)
    page.goto(f"{base}/ar/customers/C001")

    page.get_by_label("Kind").select_option("call")
    page.get_by_label("Note", exact=True).fill("spoke to Jo in AP")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#notes")).to_contain_text("colin [call] spoke to Jo in AP")

    page.get_by_label("Promised amount").fill("80.50")
    page.get_by_label("by").fill("2099-12-05")
    page.get_by_role("button", name="Record promise").click()
    expect(page.locator("#promises").get_by_role("row", name="2099-12-05")).to_contain_text("open")

    page.get_by_label("Disputed invoice").select_option("INV-1002")
    page.get_by_label("Reason").fill("price differs from PO")
    page.get_by_role("button", name="Open dispute").click()
    expect(page.locator("#disputes")).to_contain_text("INV-1002: price differs from PO (colin)")

    page.get_by_label("Plan name").fill("winter")
    page.get_by_label("Instalments").fill("2099-12-15 40.00\n2100-01-15 40.50")
    page.get_by_role("button", name="Record plan").click()
    plans = page.locator("#promises")
    expect(plans.get_by_role("row", name="2100-01-15")).to_contain_text("winter")
    expect(page.locator("#notes")).to_contain_text("payment plan winter: 40.00 by 2099-12-15")


def test_a_viewer_sees_no_forms(browser: Browser, client: httpx.Client) -> None:
    base = str(client.base_url).rstrip("/")
    page = browser.new_page()
    _login(page, base, "vic")
    page.goto(f"{base}/ar/customers/C001")
    expect(page.get_by_role("heading", name="Acme Industrial Supply Inc (C001)")).to_be_visible()
    expect(page.get_by_role("button", name="Add note")).to_have_count(0)
    expect(page.get_by_role("button", name="Record plan")).to_have_count(0)
