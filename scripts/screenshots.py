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
    """Write docs/queue.png, item.png, undo.png, customers.png, runs.png, settings.png, users.png, clearing.png."""
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
    _card_payouts(demo)
    settings = load_settings(demo / "arbridge.yaml")
    app = build_app(settings)
    run_cycle(app.cycle_deps())
    add_user(app.store, "ada", PASSWORD, "admin")
    add_user(app.store, "clara", PASSWORD, "clerk")
    review = settings.review
    policy = WriteOffPolicy(review.write_off_limit, review.write_off_reasons)
    web = create_app(app.store, erp=settings.connectors.erp.name, write_off=policy)
    return start_in_thread(web).url


STRIPE_REPORT = """\
automatic_payout_id,automatic_payout_effective_at,balance_transaction_id,currency,gross,fee,net,reporting_category,description,customer_name,payment_metadata[invoice_number]
po_1QxA,2026-11-04 00:00:00,txn_01,usd,640.00,18.86,621.14,charge,Order 5531,Acme Industrial Supply Inc,INV-2001
po_1QxA,2026-11-04 00:00:00,txn_02,usd,215.00,6.54,208.46,charge,Invoice INV-2002,Brightwater Foods LLC,
po_1QxA,2026-11-04 00:00:00,txn_03,usd,-40.00,0.00,-40.00,refund,REFUND FOR ch_3Pq,,
po_1QyB,2026-11-27 00:00:00,txn_04,usd,1180.00,34.52,1145.48,charge,Order 5602,Cobalt Ridge Mining Corp,INV-2003
"""


def _card_payouts(demo: Path) -> None:
    """Add a month of Stripe payouts to the demo copy: one deposited, one still in transit."""
    (demo / "settlements").mkdir()
    (demo / "settlements" / "stripe-2026-11.csv").write_text(STRIPE_REPORT, encoding="utf-8")
    with (demo / "erp" / "invoices.csv").open("a", encoding="utf-8") as fh:
        fh.write("INV-2001,C001,2026-10-20,2026-11-19,640.00,640.00,USD,NET30,\n")
        fh.write("INV-2002,C002,2026-10-21,2026-11-20,215.00,215.00,USD,NET30,\n")
        fh.write("INV-2003,C003,2026-10-22,2026-11-21,1180.00,1180.00,USD,NET30,\n")
    (demo / "bank" / "stripe.csv").write_text(
        "Date,Description,Amount,Transaction ID\n11/05/2026,STRIPE TRANSFER ST-Q4X7,789.60,TX0101\n",
        encoding="utf-8",
    )
    config = demo / "arbridge.yaml"
    text = config.read_text(encoding="utf-8").replace(
        "schedule:",
        "  settlements:\n    - name: stripe\n      kind: stripe_report\n      path: settlements\nschedule:",
        1,
    )
    config.write_text(text, encoding="utf-8")


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
    page.goto(f"{base}/?reason=lookalike_invoices")
    page.locator("#queue a").first.click()
    page.locator("#candidates button[aria-label^='Apply to']").last.click()
    page.wait_for_selector("#undo")
    page.screenshot(path=str(DOCS / "undo.png"), full_page=True)
    page.goto(f"{base}/customers/C001")
    page.get_by_label("Name or account number").fill("ACME IND SUPPLY")
    page.get_by_role("button", name="Link to Acme Industrial Supply Inc").click()
    page.wait_for_load_state("load")
    for name in ("customers/C001", "runs", "settings", "users", "clearing"):
        page.goto(f"{base}/{name}")
        page.screenshot(path=str(DOCS / f"{name.split('/')[0]}.png"), full_page=True)
    print(f"screenshots written to {DOCS}")


if __name__ == "__main__":
    main()
