"""A daemon that keeps the ERP book between cycles decides exactly as fresh processes do.

Two copies of one backlog go through the same changes: one is worked by a single app
keeping its `Book` (as `arbridge run` does), the other by a new app without one for each
cycle (as `arbridge run --once` does). After every cycle both stores and both
applications files must hold the same decisions.
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import text

from arbridge.app import App, build_app
from arbridge.config import load_settings
from arbridge.domain.records import BankLine, Customer, Invoice
from arbridge.matching import MatchContext, match_lines
from arbridge.scheduler import Book, RunSummary, run_cycle
from arbridge.scheduler._decide import net_of
from arbridge.store import create_store_engine
from bench.datasets import CONTRACT_CONFIG, write_dataset, write_more_lines


def _backlog(root: Path) -> tuple[Path, Path]:
    kept, fresh = root / "kept", root / "fresh"
    write_dataset(kept, lines=240, invoices=400, seed=5)
    shutil.copytree(kept, fresh)
    for data in (kept, fresh):
        (data / "arbridge.yaml").write_text(CONTRACT_CONFIG.format(data=data), encoding="utf-8")
    return kept, fresh


def _decisions(data: Path) -> dict[str, Any]:
    """Every line's status and explanation, every review item, every ERP row but its time."""
    engine = create_store_engine(f"sqlite:///{data}/state.db")
    with engine.connect() as conn:
        lines = conn.execute(
            text("SELECT account, bank_id, status, explanation FROM bank_line ORDER BY 1, 2")
        ).all()
        items = conn.execute(
            text(
                "SELECT dedupe_key, reason, status, customer_id, message, suggestions "
                "FROM review_item ORDER BY 1"
            )
        ).all()
    engine.dispose()
    with (data / "out" / "applications.csv").open(encoding="utf-8", newline="") as fh:
        rows = [row[:-1] for row in csv.reader(fh)]  # applied_at is the clock's
    return {"lines": [tuple(r) for r in lines], "items": [tuple(r) for r in items], "erp": rows}


class _Daemon:
    """One app and one book for every cycle, as `arbridge run` keeps them."""

    def __init__(self, data: Path) -> None:
        self.app: App = build_app(load_settings(data / "arbridge.yaml"))
        self.book = Book()

    def cycle(self) -> RunSummary:
        return run_cycle(self.app.cycle_deps(self.book))


def _once(data: Path) -> RunSummary:
    app = build_app(load_settings(data / "arbridge.yaml"))
    try:
        return run_cycle(app.cycle_deps())
    finally:
        app.store.dispose()


def _both(daemon: _Daemon, kept: Path, fresh: Path) -> RunSummary:
    summary = daemon.cycle()
    _once(fresh)
    assert _decisions(kept) == _decisions(fresh)
    return summary


def _edit_invoice(data: Path, invoice_id: str) -> None:
    """The ERP lowers one invoice's open amount and gives it a PO number."""
    path = data / "erp" / "invoices.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    for row in rows:
        if row[0] == invoice_id:
            row[5], row[8] = "7.00", "PO-4242"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def _reverse(data: Path, invoice_id: str, customer_id: str) -> None:
    """A recorded payment of the invoice is reversed in the ERP (its money comes back)."""
    (data / "out" / "payment_reversals.csv").write_text(
        "payment_id,invoice_id,customer_id,amount,bank_transaction_id,reversed_at,"
        "idempotency_key\n"
        f"PAY-1,{invoice_id},{customer_id},-25.00,,2026-11-30T00:00:00+00:00,k1\n",
        encoding="utf-8",
    )


def _applied(data: Path) -> list[dict[str, str]]:
    with (data / "out" / "applications.csv").open(encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["invoice_id"]]


def test_a_kept_book_decides_as_fresh_processes_through_appends_edits_and_reversals(
    tmp_path: Path,
) -> None:
    kept, fresh = _backlog(tmp_path)
    daemon = _Daemon(kept)
    first = _both(daemon, kept, fresh)
    assert first.counts["applied"] > 0
    assert first.counts["queued"] > 0

    for data in (kept, fresh):  # applications.csv grew: only the rows appended are read
        write_more_lines(data, 120, name="second.csv", seed=21)
    second = _both(daemon, kept, fresh)
    assert second.counts["erp_changed_only"] > 0
    assert second.counts["erp_book_kept"] == 1
    assert second.counts["applied"] > 0

    paid = _applied(kept)[0]
    for data in (kept, fresh):  # the export itself changed: read whole again
        _edit_invoice(data, paid["invoice_id"])
        write_more_lines(data, 120, name="third.csv", seed=22)
    third = _both(daemon, kept, fresh)
    assert "erp_book_kept" not in third.counts

    for data in (kept, fresh):
        _reverse(data, paid["invoice_id"], paid["customer_id"])
        write_more_lines(data, 120, name="fourth.csv", seed=23)
    _both(daemon, kept, fresh)

    for data in (kept, fresh):
        write_more_lines(data, 120, name="fifth.csv", seed=24)
    fifth = _both(daemon, kept, fresh)
    assert fifth.counts["erp_book_kept"] == 1
    daemon.app.store.dispose()


def _book_data() -> tuple[list[Customer], list[Invoice], list[BankLine]]:
    customers = [Customer(customer_id=f"C{c}", name=f"Customer {c} Inc") for c in range(6)]
    invoices = [
        Invoice(
            invoice_id=f"INV-{n:04d}",
            customer_id=f"C{n % 6}",
            invoice_date=date(2026, 10, 1),
            due_date=date(2026, 10, 1 + n % 20),
            amount=Decimal(100 + n % 7),
            open_amount=Decimal(100 + n % 7),
        )
        for n in range(60)
    ]
    lines = [
        BankLine(
            account="op",
            bank_id=f"T{n}",
            booked_on=date(2026, 11, 2),
            amount=Decimal(100 + n % 7),
            currency="USD",
            description=f"CUSTOMER {n % 6} PAYMENT" if n % 3 else f"WIRE {n}",
        )
        for n in range(40)
    ]
    return customers, invoices, lines


def _fresh(customers: list[Customer], invoices: list[Invoice], unsent: dict[str, Decimal]) -> Any:
    context = MatchContext(
        customers={c.customer_id: c for c in customers}, invoices=net_of(invoices, unsent)
    )
    return match_lines(LINES, context)


def _kept(book: Book, unsent: dict[str, Decimal]) -> Any:
    index = book.net_of(unsent)
    context = MatchContext(customers=index.customers, invoices=index.invoices, index=index)
    return match_lines(LINES, context)


CUSTOMERS, INVOICES, LINES = _book_data()


def test_queued_amounts_are_netted_in_the_kept_index_and_given_back_after() -> None:
    book = Book()
    book.fill("v1", (CUSTOMERS, INVOICES))
    queued = {"INV-0001": Decimal(101), "INV-0008": Decimal(50), "NOT-THERE": Decimal(1)}
    assert _fresh(CUSTOMERS, INVOICES, queued) != _fresh(CUSTOMERS, INVOICES, {})  # it matters
    assert _kept(book, queued) == _fresh(CUSTOMERS, INVOICES, queued)
    assert book.records()[1] == INVOICES  # as the ERP has them, whatever is netted

    changed = [
        replace(INVOICES[8], open_amount=Decimal(20)),
        replace(INVOICES[3], open_amount=Decimal(0)),
    ]
    book.update("v2", changed)
    now = [changed[1] if i.invoice_id == "INV-0003" else i for i in INVOICES]
    now = [changed[0] if i.invoice_id == "INV-0008" else i for i in now]
    assert book.records()[1] == now
    queued = {"INV-0008": Decimal(5), "INV-0015": Decimal(102)}
    assert _kept(book, queued) == _fresh(CUSTOMERS, now, queued)
    assert _kept(book, {}) == _fresh(CUSTOMERS, now, {})
    assert book.version == "v2"
