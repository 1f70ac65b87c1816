"""The commission report on a year of applications: how long one month's report takes.

    python -m bench.commissions --applications 1000000 [--reps 50] [--url sqlite:///x.db [--no-fill]]

Fills a fresh store with a year (2026) of bank lines, each applied to one invoice (sent
to the ERP), invoices spread over the reps with a register row each, and one correction
(reversal) in a hundred. Then times the November report through the ledger the CLI uses
(median of --repeat runs), the payroll summary, and closing November.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from arbridge.app.commissions import CommissionLedger
from arbridge.commissions import Plan, Tier, totals_csv
from arbridge.domain.commissions import CommissionLine
from arbridge.store import Store, create_store_engine, upgrade
from arbridge.store._core import bulk_insert, table_of
from arbridge.store.tables import ApplicationRow, BankLineRow, InvoiceRegisterRow, OutboxRow

CHUNK = 50_000
YEAR = date(2026, 1, 1)
NOW = datetime(2026, 12, 15, tzinfo=UTC)


def _day(i: int, n: int) -> date:
    return YEAR + timedelta(days=i * 365 // n)


def _lines(start: int, stop: int, n: int) -> Iterator[dict[str, Any]]:
    for i in range(start, stop):
        yield {
            "id": i + 1,
            "account": "operating",
            "bank_id": f"B{i:08d}",
            "booked_on": _day(i, n),
            "amount": Decimal(f"{(i * 37) % 20000 + 1}.{i % 100:02d}"),
            "currency": "USD",
            "description": f"PAYMENT INV-{i:08d}",
            "references": [],
            "status": "applied",
            "created_at": NOW,
        }


def _applications(start: int, stop: int, n: int) -> Iterator[dict[str, Any]]:
    for i in range(start, stop):
        amount = Decimal(f"{(i * 37) % 20000 + 1}.{i % 100:02d}")
        allocation = {
            "invoice_id": f"INV-{i:08d}",
            "customer_id": f"C{i % 5000:05d}",
            "amount": str(amount),
            "adjustment": "0",
            "adjustment_reason": None,
        }
        booked = datetime.combine(_day(i, n), datetime.min.time(), tzinfo=UTC)
        yield {
            "id": i + 1,
            "idempotency_key": f"books:operating:B{i:08d}",
            "bank_line_id": i + 1,
            "erp": "books",
            "customer_id": allocation["customer_id"],
            "amount": amount,
            "allocations": [allocation],
            "created_at": booked + timedelta(days=1),
        }


def fill(store: Store, n: int, reps: int) -> None:
    """n applications over the year, n register rows, one reversal per 100 applications."""
    tables = [table_of(m) for m in (BankLineRow, ApplicationRow, OutboxRow, InvoiceRegisterRow)]
    line, app, box, register = tables
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        with store.transaction() as session:
            bulk_insert(session, line, list(_lines(start, stop, n)))
            apps = list(_applications(start, stop, n))
            bulk_insert(session, app, apps)
            bulk_insert(session, box, [_sent(a["id"], a["id"]) for a in apps])
            bulk_insert(session, register, [_register(i, reps) for i in range(start, stop)])
    undo = [_reversal(i, n) for i in range(0, n, 100)]
    with store.transaction() as session:
        bulk_insert(session, app, undo)
        bulk_insert(session, box, [_sent(u["id"], u["id"]) for u in undo])


def _sent(outbox_id: int, application_id: int) -> dict[str, Any]:
    return {
        "id": outbox_id,
        "application_id": application_id,
        "erp": "books",
        "status": "sent",
        "attempts": 1,
        "created_at": NOW,
        "sent_at": NOW,
    }


def _register(i: int, reps: int) -> dict[str, Any]:
    return {
        "erp": "books",
        "invoice_id": f"INV-{i:08d}",
        "customer_id": f"C{i % 5000:05d}",
        "sales_rep": f"R{i % reps:03d}"
        if i % 10
        else f"R{i % reps:03d}=0.5;R{(i + 1) % reps:03d}=0.5",
        "invoice_date": YEAR,
        "amount": Decimal("20000.00"),
        "open_amount": Decimal("0.00"),
        "seen_at": NOW,
    }


def _reversal(i: int, n: int) -> dict[str, Any]:
    original = next(_applications(i, i + 1, n))
    return {
        **original,
        "id": n + i + 1,
        "idempotency_key": original["idempotency_key"] + ":reverse:1",
        "created_at": original["created_at"] + timedelta(days=3),
        "reverses_id": original["id"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--url", help="A store URL (default: SQLite in a temporary folder).")
    parser.add_argument(
        "--no-fill", action="store_true", help="The store at --url is filled already (a rerun)."
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = create_store_engine(url)
        upgrade(engine)
        store = Store(engine)
        if not args.no_fill:
            started = time.perf_counter()
            fill(store, args.applications, args.reps)
            took = time.perf_counter() - started
            print(f"fill: {args.applications} applications in {took:.1f} s")
        tiers = (Tier(rate=Decimal("0.03"), up_to=Decimal("50000")), Tier(rate=Decimal("0.04")))
        plan = Plan(default_rate=Decimal("0.03"), reps={"R001": Decimal("0.05")}, tiers=tiers)
        ledger = CommissionLedger(store, "books", plan, lambda: NOW)
        run(ledger)
        repeat(ledger, args.repeat)
        engine.dispose()


def _timed(label: str, work: Callable[[], object]) -> tuple[object, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    took, used = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label}: {took:.2f} s wall, {used:.2f} s CPU of this process")
    return result, took


def run(ledger: CommissionLedger) -> None:
    lines: Any = _timed("november report, first", lambda: _november(ledger))[0]
    negative = sum(1 for x in lines if x.cash_amount < 0)
    reps = totals_csv(lines).count("\n") - 2
    print(f"november: {len(lines)} lines ({negative} clawback lines, {reps} reps)")


def _november(ledger: CommissionLedger) -> list[CommissionLine]:
    return ledger.report(date(2026, 11, 1), date(2026, 11, 30))


def repeat(ledger: CommissionLedger, times: int) -> None:
    timings = [_timed("november report", lambda: _november(ledger))[1] for _ in range(times)]
    print(f"november report: median {statistics.median(timings):.2f} s wall")
    closed: Any = _timed("close 2026-11", lambda: ledger.close("2026-11", actor="bench"))[0]
    print(f"close 2026-11: {len(closed)} lines frozen")
    _timed("closed november read back", lambda: _november(ledger))


if __name__ == "__main__":
    main()
