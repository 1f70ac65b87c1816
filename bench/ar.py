"""Receivables bench: aging, KPIs, the worklist and statements over a large open book.

Usage: .venv/bin/python -m bench.ar [--invoices 1000000] [--customers 50000]
       [--statements 10000] [--check]

Writes an ERP snapshot of that many open invoices into a fresh SQLite store (in its own
process), then runs each step as `arbridge ar aging`, `ar kpis` and `ar worklist` do it
(the database sums of store.ar_sums, the period facts, the report) in a fresh process of
its own, and prints its seconds and that process's peak resident memory (VmHWM). Then the
statements: load the open book and build and render `--statements` customers' PDFs.
`--check` also compares the database sums with the pure functions over every item.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlmodel import Session

from arbridge.app.statement_pdf import render_many
from arbridge.domain.records import Customer, Invoice
from arbridge.receivables import Basis, Buckets, OpenItem
from arbridge.receivables.aging import aging_report, tally
from arbridge.receivables.kpis import kpis_of, open_totals
from arbridge.receivables.statements import build_statement
from arbridge.receivables.worklist import owed_by_customer, worklist_of
from arbridge.store import Store, ar_period, ar_sums, ar_worklist, create_store_engine, erp, upgrade
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


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: ru_maxrss would keep the parent's peak,
    which Linux carries across fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _report(label: str, started: float, detail: str) -> None:
    """Wall seconds, CPU seconds of this process (less sensitive to a shared machine), memory."""
    seconds, cpu = time.perf_counter() - started, time.process_time()
    print(
        f"  {label:<32} {seconds:7.2f} s wall {cpu:7.2f} s CPU  peak RSS {_peak_mb():5,.0f} MB  {detail}",
        flush=True,
    )


def measure(url: str, step: str, count: int) -> None:
    """One step in this (fresh) process, so its time and peak memory are its own."""
    store = Store(create_store_engine(url))
    started = time.perf_counter()
    with store.transaction() as session:
        if step == "aging":
            sums = ar_sums.aging_sums(
                session, "books", AS_OF, buckets=Buckets(), basis=Basis.DUE_DATE
            )
            assert sums is not None
            names = erp.customer_names(session, "books")
            report = aging_report(sums, AS_OF, names=names, buckets=Buckets(), basis=Basis.DUE_DATE)
            _report(
                "ar aging (sums + report)",
                started,
                f"{len(report.rows):,} customers, total {report.total.total}",
            )
        elif step == "kpis":
            totals = ar_sums.kpi_totals(session, "books", AS_OF)
            assert totals is not None
            kpis = kpis_of(totals, AS_OF, ar_period.period_facts(session, "books", AS_OF, 90))
            _report(
                "ar kpis (totals + period facts)",
                started,
                f"open {kpis.open_total}, DSO {kpis.dso}, CEI {kpis.cei}",
            )
        elif step == "worklist":
            facts = ar_worklist.customer_facts(
                session, "books", erp.customer_names(session, "books")
            )
            disputed = {cid: f.disputed for cid, f in facts.items() if f.disputed}
            owed = ar_sums.owed(session, "books", AS_OF, disputed)
            assert owed is not None
            rows = worklist_of(owed, facts)
            _report("ar worklist (facts + build)", started, f"{len(rows):,} rows")
        elif step == "check":
            same(session)
        else:
            statements_per_second(session, count)


def same(session: Session) -> None:
    """The database sums against the pure functions over every open item, to the cent."""
    book = store_ar.open_book(session, "books")
    assert book is not None
    sums = ar_sums.aging_sums(session, "books", AS_OF, buckets=Buckets(), basis=Basis.DUE_DATE)
    pure = aging_report(
        tally(book.items, AS_OF, buckets=Buckets(), basis=Basis.DUE_DATE),
        AS_OF,
        names={},
        buckets=Buckets(),
        basis=Basis.DUE_DATE,
    )
    assert sums is not None
    ours = aging_report(sums, AS_OF, names={}, buckets=Buckets(), basis=Basis.DUE_DATE)
    totals = ar_sums.kpi_totals(session, "books", AS_OF)
    owed = ar_sums.owed(session, "books", AS_OF, {})
    agree = (
        ours == pure
        and totals == open_totals(book.items, AS_OF)
        and owed == owed_by_customer(book.items, AS_OF, {})
    )
    print(
        f"  database sums = pure functions over all {len(book.items):,} items, to the cent: {agree}"
    )
    if not agree:
        raise SystemExit(1)


def statements_per_second(session: Session, count: int) -> None:
    """Load the open book, then build and render `count` customers' statements (open items only)."""
    started = time.perf_counter()
    book = store_ar.open_book(session, "books")
    assert book is not None
    by_customer: dict[str, list[OpenItem]] = {}
    for item in book.items:
        by_customer.setdefault(item.customer_id, []).append(item)
    chosen = sorted(by_customer)[:count]
    statements = [
        build_statement(cid, book.names.get(cid, ""), by_customer[cid], [], as_of=AS_OF)
        for cid in chosen
    ]
    pdfs = render_many(statements, company="Bench", remit_to="1 Road", instructions="ACH")
    size = sum(len(pdf) for pdf in pdfs)  # rendered on every CPU, as `ar statements` does
    seconds = time.perf_counter() - started
    _report(
        f"{len(chosen):,} statements (with load)",
        started,
        f"{len(chosen) / seconds:,.0f}/s, {size / len(chosen) / 1024:.1f} KB each",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--statements", type=int, default=10_000, help="statements to render")
    parser.add_argument("--check", action="store_true", help="also compare with the pure functions")
    parser.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure and args.step == "setup":
        write_book(args.measure, args.invoices, args.customers)
        return
    if args.measure:
        measure(args.measure, args.step, args.statements)
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'state.db'}"
        started = time.perf_counter()
        setup = [sys.executable, "-m", "bench.ar", "--measure", url, "--step", "setup"]
        setup += ["--invoices", str(args.invoices), "--customers", str(args.customers)]
        subprocess.run(setup, check=True, cwd=ROOT)  # its memory is not this process's
        print(
            f"setup: {args.invoices:,} invoices, {args.customers:,} customers in {time.perf_counter() - started:.1f} s"
        )
        print(
            f"each step in a fresh process ({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}):"
        )
        steps = ["aging", "kpis", "worklist", "statements"] + (["check"] if args.check else [])
        for step in steps:
            command = [sys.executable, "-m", "bench.ar", "--measure", url, "--step", step]
            command += ["--statements", str(args.statements)]
            subprocess.run(command, check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
