"""Benchmark: one full cycle on the contract layout with a synthetic backlog.

Usage: .venv/bin/python -m bench.cycle [--lines 20000] [--invoices 50000]

Prints how long the first cycle (import + match + post) and a no-op rerun take,
lines per second, and the peak Python memory of the first cycle.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

from arbridge.app import build_app
from arbridge.logs import configure_logging
from config import load_settings
from scheduler import run_cycle
from tests.conftest import CONTRACT_CONFIG


def _write_dataset(data: Path, lines: int, invoices: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    (data / "erp").mkdir(parents=True)
    (data / "bank").mkdir()
    customers = max(invoices // 20, 1)
    with (data / "erp" / "customers.csv").open("w", encoding="utf-8") as fh:
        fh.write("customer_id,name,parent_id,terms,currency\n")
        for c in range(customers):
            fh.write(f"C{c:06d},Customer {c} Inc,,NET30,USD\n")
    amounts = []
    start = date(2026, 9, 1)
    with (data / "erp" / "invoices.csv").open("w", encoding="utf-8") as fh:
        fh.write(
            "invoice_id,customer_id,invoice_date,due_date,amount,open_amount,currency,terms,po_number\n"
        )
        for i in range(invoices):
            amount = f"{rng.randint(1000, 999999) / 100:.2f}"
            amounts.append(amount)
            day = start + timedelta(days=i % 60)
            due = day + timedelta(days=30)
            fh.write(f"INV-{i:07d},C{i % customers:06d},{day},{due},{amount},{amount},USD,NET30,\n")
    with (data / "bank" / "statement.csv").open("w", encoding="utf-8") as fh:
        fh.write("Date,Description,Amount,Transaction ID\n")
        for n in range(lines):
            i = rng.randrange(invoices)
            text = f"CUSTOMER {i % customers} PAYMENT INV-{i:07d}" if n % 4 else f"WIRE {n}"
            fh.write(f"11/{1 + n % 28:02d}/2026,{text},{amounts[i]},TX{n:08d}\n")


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--invoices", type=int, default=50_000)
    args = parser.parse_args()
    configure_logging("warning")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        _write_dataset(data, args.lines, args.invoices)
        (data / "arbridge.yaml").write_text(CONTRACT_CONFIG.format(data=data), encoding="utf-8")
        app = build_app(load_settings(data / "arbridge.yaml"))
        tracemalloc.start()
        started = time.perf_counter()
        summary = run_cycle(app.cycle_deps())
        first = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        started = time.perf_counter()
        run_cycle(app.cycle_deps())
        rerun = time.perf_counter() - started
    c = summary.counts
    print(f"bank lines: {args.lines:,}  invoices: {args.invoices:,}")
    print(
        f"first cycle: {first:.2f} s ({args.lines / first:,.0f} lines/s); "
        f"applied {c['applied']:,}, queued {c['queued']:,}, posted {c['posted']:,}"
    )
    print(f"rerun (nothing new): {rerun:.2f} s")
    print(f"peak Python memory during first cycle: {peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
