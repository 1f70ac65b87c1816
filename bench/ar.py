"""Receivables bench: aging, KPIs and the worklist over a large open book.

Usage: .venv/bin/python -m bench.ar [--invoices 1000000] [--customers 50000]

Writes an ERP snapshot of that many open invoices into a fresh SQLite store, then, in a
fresh process (so the peak memory is the reports' own, not the setup's), times what
`arbridge ar aging`, `ar kpis` and `ar worklist` do: load the open book from the store,
age it, compute the KPIs with their period facts, and build the worklist. Prints the
seconds of each step and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from arbridge.app.statement_pdf import render_statement
from arbridge.domain.records import Customer, Invoice
from arbridge.receivables import OpenItem, age_items, compute_kpis
from arbridge.receivables.statements import build_statement
from arbridge.receivables.worklist import build_worklist
from arbridge.store import Store, ar_worklist, create_store_engine, erp, upgrade
from arbridge.store import ar as store_ar

AS_OF = date(2026, 11, 30)
ROOT = Path(__file__).resolve().parents[1]


def write_book(url: str, invoices: int, customers: int) -> None:
    rng = random.Random(1)
    people = [Customer(customer_id=f"C{n:06d}", name=f"Customer {n}") for n in range(customers)]
    book = []
    for n in range(invoices):
        due = AS_OF + timedelta(days=rng.randint(-200, 40))
        amount = Decimal(rng.randint(1_000, 5_000_000)).scaleb(-2)
        book.append(
            Invoice(
                invoice_id=f"INV-{n:08d}",
                customer_id=people[n % customers].customer_id,
                invoice_date=due - timedelta(days=30),
                due_date=due,
                amount=amount,
                open_amount=amount,
            )
        )
    engine = create_store_engine(url)
    upgrade(engine)
    with Store(engine).transaction() as session:
        erp.save_snapshot(session, "books", people, book, datetime.now(UTC))
    engine.dispose()


def measure(url: str, count: int) -> None:
    store = Store(create_store_engine(url))
    timings: list[tuple[str, float]] = []

    def timed(label: str, started: float) -> float:
        now = time.perf_counter()
        timings.append((label, now - started))
        return now

    t = time.perf_counter()
    with store.transaction() as session:
        book = store_ar.open_book(session, "books")
        assert book is not None
        t = timed("load open book from the store", t)
        facts = store_ar.period_facts(session, "books", book, AS_OF, 90)
        t = timed("period facts (sales, opening balance)", t)
        customer = ar_worklist.customer_facts(session, "books", book.names)
        t = timed("worklist facts (cash in flight, history...)", t)
    report = age_items(book.items, AS_OF, names=book.names)
    t = timed("aging (pure)", t)
    kpis = compute_kpis(book.items, AS_OF, facts)
    t = timed("KPIs (pure)", t)
    rows = build_worklist(book.items, AS_OF, customer)
    timed("worklist build (pure)", t)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"open invoices: {len(book.items):,}; customers in aging: {len(report.rows):,}; worklist rows: {len(rows):,}"
    )
    print(f"open total {kpis.open_total}; past-due share {kpis.past_due_share}; DSO {kpis.dso}")
    for label, seconds in timings:
        print(f"  {label:<45} {seconds:8.2f} s")
    aging_kpis = sum(s for label, s in timings if not label.startswith("worklist"))
    print(
        f"aging + KPIs end to end: {aging_kpis:.2f} s; peak memory of this process: {peak_mb:,.0f} MB"
    )
    statements_per_second(book, count)


def statements_per_second(book: store_ar.OpenBook, count: int) -> None:
    """Build and render `count` customers' statements (no month activity: open items only)."""
    by_customer: dict[str, list[OpenItem]] = {}
    for item in book.items:
        by_customer.setdefault(item.customer_id, []).append(item)
    chosen = sorted(by_customer)[:count]
    started = time.perf_counter()
    size = 0
    for cid in chosen:
        statement = build_statement(cid, book.names.get(cid, ""), by_customer[cid], [], as_of=AS_OF)
        size += len(
            render_statement(statement, company="Bench", remit_to="1 Road", instructions="ACH")
        )
    seconds = time.perf_counter() - started
    rate = len(chosen) / seconds
    print(
        f"statements: {len(chosen):,} in {seconds:.1f} s = {rate:,.0f}/s "
        f"(10k would take {10_000 / rate:.0f} s); {size / len(chosen) / 1024:.1f} KB each"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--statements", type=int, default=2000, help="statements to render")
    parser.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.statements)
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'state.db'}"
        started = time.perf_counter()
        write_book(url, args.invoices, args.customers)
        print(
            f"setup: {args.invoices:,} invoices, {args.customers:,} customers in {time.perf_counter() - started:.1f} s"
        )
        command = [
            sys.executable,
            "-m",
            "bench.ar",
            "--measure",
            url,
            "--statements",
            str(args.statements),
        ]
        subprocess.run(command, check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
