"""The finance web page in a real browser: Debian's Chromium, headless, driven by Playwright."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from arbridge.app import App
from arbridge.scheduler import run_cycle
from tests.web.conftest import PASSWORD

pytest.importorskip("playwright")
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (scripts/test-deps installs it as root): "
    "the browser tests did NOT run",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def _rows(data: Path) -> list[tuple[str, ...]]:
    with (data / "out" / "applications.csv").open(encoding="utf-8") as fh:
        return [tuple(r[:4]) for r in csv.reader(fh)]


def _login(page: Page, base: str, name: str = "clara") -> None:
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()


@pytest.mark.slow
def test_clerk_filters_the_queue_and_resolves_a_lookalike(
    browser: Browser, client: httpx.Client, demo: App, contract_data_any_store: Path
) -> None:
    base = str(client.base_url).rstrip("/")
    page = browser.new_page()
    _login(page, base)

    page.get_by_label("Reason").select_option("lookalike_invoices")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page.get_by_role("cell", name="TX0005")).to_be_visible()
    expect(page.get_by_role("cell", name="TX0010")).to_have_count(0)

    page.get_by_role("row", name="TX0005").get_by_role("link").first.click()
    item_url = page.url
    page.get_by_role("button", name="Apply to INV-1008").click()
    expect(page.locator("#notice")).to_contain_text("applied INV-1008 760.00")
    page.goto(item_url)
    expect(page.get_by_text("clara: resolve: applied: INV-1008 760.00")).to_be_visible()

    run_cycle(demo.cycle_deps())
    assert ("TX0005", "INV-1008", "C004", "760.00") in _rows(contract_data_any_store)


@pytest.mark.slow
def test_split_form_keeps_the_total_as_you_type(
    browser: Browser, client: httpx.Client, demo: App, contract_data_any_store: Path
) -> None:
    base = str(client.base_url).rstrip("/")
    page = browser.new_page()
    _login(page, base)
    page.get_by_role("row", name="TX0005").get_by_role("link").first.click()

    page.get_by_label("amount for INV-1007").fill("400.00")
    expect(page.locator("#split-diff")).to_have_text("360.00")
    page.get_by_label("amount for INV-1008").fill("360.00")

    expect(page.locator("#split-total")).to_have_text("760.00")
    expect(page.locator("#split-diff")).to_have_text("0.00")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.locator("#notice")).to_contain_text("applied INV-1007 400.00, INV-1008 360.00")

    run_cycle(demo.cycle_deps())
    rows = _rows(contract_data_any_store)
    assert ("TX0005", "INV-1007", "C004", "400.00") in rows
    assert ("TX0005", "INV-1008", "C004", "360.00") in rows


@pytest.mark.slow
def test_a_forged_csrf_token_is_refused_in_the_browser(
    browser: Browser, client: httpx.Client
) -> None:
    base = str(client.base_url).rstrip("/")
    page = browser.new_page()
    _login(page, base)
    page.get_by_role("row", name="TX0005").get_by_role("link").first.click()

    page.eval_on_selector_all('input[name="csrf"]', "els => els.forEach(e => e.value = 'forged')")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Apply to INV-1008").click()

    assert answer.value.status == 403


@pytest.mark.slow
def test_a_viewer_gets_no_apply_buttons(browser: Browser, client: httpx.Client) -> None:
    base = str(client.base_url).rstrip("/")
    page = browser.new_page()
    _login(page, base, "vic")
    page.get_by_role("row", name="TX0005").get_by_role("link").first.click()

    expect(page.get_by_role("heading", name="Candidate invoices")).to_be_visible()
    expect(page.get_by_role("cell", name="INV-1008")).to_be_visible()
    expect(page.get_by_role("button", name="Apply to INV-1008")).to_have_count(0)
    expect(page.get_by_role("button", name="Dismiss")).to_have_count(0)


@pytest.mark.slow
def test_a_page_without_login_goes_to_the_login_form(
    browser: Browser, client: httpx.Client
) -> None:
    base = str(client.base_url).rstrip("/")
    page = browser.new_page()

    page.goto(f"{base}/runs")

    expect(page).to_have_url(f"{base}/login")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


@pytest.mark.slow
def test_the_queue_works_from_the_keyboard(
    browser: Browser, client: httpx.Client, demo: App
) -> None:
    base = str(client.base_url).rstrip("/")
    page = browser.new_page()
    _login(page, base)
    rows = page.locator("#queue tbody tr")
    page.wait_for_load_state("load")  # the shortcuts are attached by a script at the page's end

    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class("current")
    page.keyboard.press("x")
    expect(rows.nth(1).get_by_role("checkbox")).to_be_checked()
    expect(rows.nth(0).get_by_role("checkbox")).not_to_be_checked()
    page.keyboard.press("/")
    expect(page.locator("#filters input[name=q]")).to_be_focused()
    page.keyboard.press("Escape")
    page.locator("h1").click()
    page.keyboard.press("Enter")

    second = demo.queue.open_items()[1].item_id
    expect(page).to_have_url(f"{base}/items/{second}")


@pytest.mark.slow
def test_a_clerk_resolves_an_item_with_the_keyboard_only(
    browser: Browser, client: httpx.Client, demo: App, contract_data_any_store: Path
) -> None:
    base = str(client.base_url).rstrip("/")
    page = browser.new_page()
    _login(page, base)
    page.wait_for_load_state("load")
    row = next(
        i for i, v in enumerate(demo.queue.open_items()) if v.bank_transaction_id == "TX0005"
    )
    for _ in range(row + 1):
        page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Candidate invoices")).to_be_visible()

    page.get_by_label("pick INV-1008").focus()
    page.keyboard.press("Space")  # ticking fills the open amount, up to the bank line's
    expect(page.get_by_label("amount for INV-1008")).to_have_value("760.00")
    expect(page.locator("#split-diff")).to_have_text("0.00")
    page.get_by_label("amount for INV-1008").press("Enter")  # Enter in a field submits its form

    expect(page.locator("#notice")).to_contain_text("applied INV-1008 760.00")
    expect(page.locator("#notice")).to_contain_text("next item")
    run_cycle(demo.cycle_deps())
    assert ("TX0005", "INV-1008", "C004", "760.00") in _rows(contract_data_any_store)
