"""Take the README's screenshots of the finance web page: `make screenshots`.

Copies the demo data to a temporary folder, runs one cycle, serves the web page on a
free loopback port and drives Debian's Chromium (headless, through Playwright) over the
queue, an item, the runs page, the limits page and the users page, writing PNGs into docs/.
"""

from __future__ import annotations

import secrets
import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from arbridge.app import build_app
from arbridge.app.webserver import start_in_thread
from arbridge.config import load_settings
from arbridge.review.limits import WriteOffPolicy
from arbridge.scheduler import run_cycle
from arbridge.web.app import create_app
from arbridge.web.auth import add_user

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PASSWORD = secrets.token_urlsafe(12)


def main() -> None:
    """Write docs/queue.png, item.png, customers.png, runs.png, settings.png and users.png."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("screenshots: Chromium is not installed (scripts/test-deps installs it)")
    with tempfile.TemporaryDirectory() as tmp:
        base = _serve(Path(tmp))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            _shoot(page, base)
            browser.close()


def _serve(tmp: Path) -> str:
    demo = tmp / "demo"
    shutil.copytree(
        ROOT / "examples" / "demo", demo, ignore=shutil.ignore_patterns("state.db*", "out")
    )
    settings = load_settings(demo / "arbridge.yaml")
    app = build_app(settings)
    run_cycle(app.cycle_deps())
    add_user(app.store, "ada", PASSWORD, "admin")
    add_user(app.store, "clara", PASSWORD, "clerk")
    review = settings.review
    policy = WriteOffPolicy(review.write_off_limit, review.write_off_reasons)
    web = create_app(app.store, erp=settings.connectors.erp.name, write_off=policy)
    return start_in_thread(web).url


def _shoot(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Name").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("load")
    page.keyboard.press("j")
    page.screenshot(path=str(DOCS / "queue.png"), full_page=True)
    page.goto(f"{base}/?reason=lookalike_invoices")
    page.locator("#queue a").first.click()
    page.wait_for_selector("#split")
    page.locator("#split input.pick").first.check()
    page.locator("#split .split-amount").first.fill("400.00")
    page.screenshot(path=str(DOCS / "item.png"), full_page=True)
    for name in ("customers/C001", "runs", "settings", "users"):
        page.goto(f"{base}/{name}")
        page.screenshot(path=str(DOCS / f"{name.split('/')[0]}.png"), full_page=True)
    print(f"screenshots written to {DOCS}")


if __name__ == "__main__":
    main()
