"""Take the receivables screenshots: `.venv/bin/python -m scripts.ar_screenshots`.

Copies the demo data to a temporary folder, runs a cycle on each day of November 2026 (so
the KPI trend has days to show), records a promise, a dispute and a collector, serves the
web page and drives Debian's Chromium (headless, through Playwright) over the AR page, the
worklist and a customer page, writing docs/ar.png, ar_worklist.png and ar_customer.png, and
writes the statement of one customer as docs/statement-C001-2026-11.pdf.
"""

from __future__ import annotations

import dataclasses
import secrets
import shutil
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import sync_playwright

from arbridge.app import App, build_app
from arbridge.app.ar_contacts import configured_contacts
from arbridge.app.statement_pdf import render_statement
from arbridge.app.webserver import start_in_thread
from arbridge.config import load_settings
from arbridge.receivables.statements import build_statement, month_start
from arbridge.scheduler import run_cycle
from arbridge.store import ar as store_ar
from arbridge.store import ar_collections, ar_statements
from arbridge.web.app import create_app
from arbridge.web.auth import add_user

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PASSWORD = secrets.token_urlsafe(12)
AS_OF = date(2026, 11, 30)

CONFIG_CONTACT = """\
ar:
  contacts:
    C001: {name: Accounts Payable, email: payables@acme.test, phone: "+1 503 555 0100"}
"""


def _cycles(app: App) -> None:
    deps = app.cycle_deps()
    assert deps.ar is not None
    step = dataclasses.replace(deps.ar, every=timedelta(0))
    for n in range(30):
        when = datetime(2026, 11, 1, 18, tzinfo=UTC) + timedelta(days=n)
        ticks = iter(range(10**6))
        run_cycle(
            dataclasses.replace(
                deps, ar=step, clock=lambda w=when, t=ticks: w + timedelta(milliseconds=next(t))
            )
        )


def _records(app: App) -> None:
    now = datetime.now(UTC)
    with app.store.transaction() as session:
        ar_collections.set_profile(
            session,
            "books",
            "C004",
            {"collector": "ann", "contact_email": "ap@delta.test"},
            actor="ann",
            now=now,
        )
        ar_collections.add_note(
            session,
            "books",
            "C001",
            kind="call",
            text="AP says the PO price differs",
            actor="ann",
            now=now,
        )
        ar_collections.open_dispute(
            session,
            "books",
            "INV-1002",
            "C001",
            reason="price differs from PO",
            actor="ann",
            now=now,
        )
        ar_collections.add_promises(
            session,
            "books",
            "C004",
            [(AS_OF + timedelta(days=5), Decimal("760.00"))],
            plan=None,
            actor="ann",
            now=now,
        )
        ar_collections.set_profile(
            session,
            "books",
            "C001",
            {"collector": "ann", "contact_name": "Jo Smith", "contact_email": "ap@acme.test"},
            actor="ann",
            now=now,
        )
        ar_collections.add_promises(
            session,
            "books",
            "C001",
            [
                (AS_OF + timedelta(days=15), Decimal("40.00")),
                (AS_OF + timedelta(days=45), Decimal("40.50")),
            ],
            plan="winter",
            actor="ann",
            now=now,
        )


def _statement(app: App) -> None:
    with app.store.transaction() as session:
        book = store_ar.open_book(session, "books")
        moved = ar_statements.activity(session, "books", month_start(AS_OF), AS_OF)
    assert book is not None
    statement = build_statement("C001", book.names["C001"], book.items, moved["C001"], as_of=AS_OF)
    data = render_statement(
        statement,
        company="Northwind Supply",
        remit_to="Northwind Supply, 1 Dock Road, Portland OR",
        instructions="ACH to routing 021000021, account 123456789; quote the invoice numbers.",
    )
    (DOCS / "statement-C001-2026-11.pdf").write_bytes(data)


def main() -> None:
    """Write the screenshots and the statement into docs/."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("screenshots: Chromium is not installed (scripts/test-deps installs it)")
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        shutil.copytree(
            ROOT / "examples" / "demo", demo, ignore=shutil.ignore_patterns("state.db*", "out")
        )
        config = demo / "arbridge.yaml"  # a contact kept in the config, as ar.contacts allows
        config.write_text(config.read_text(encoding="utf-8") + CONFIG_CONTACT, encoding="utf-8")
        app = build_app(load_settings(config))
        _cycles(app)
        add_user(app.store, "ann", PASSWORD, "collector")  # an assigned collector is a user
        _records(app)
        _statement(app)
        web = create_app(app.store, erp="books", contacts=configured_contacts(app.settings.ar))
        base = start_in_thread(web).url
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.goto(f"{base}/login")
            page.get_by_label("Name").fill("ann")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_load_state("load")
            for name, path in (
                ("ar", "/ar?as_of=2026-11-30"),
                ("ar_worklist", "/ar/worklist?as_of=2026-11-30"),
                ("ar_customer", "/ar/customers/C001"),
            ):
                page.goto(base + path)
                page.screenshot(path=str(DOCS / f"{name}.png"), full_page=True)
            browser.close()
    print(f"receivables screenshots and statement written to {DOCS}")


if __name__ == "__main__":
    main()
