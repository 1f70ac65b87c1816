"""Benchmark: one full cycle on the contract layout with a synthetic backlog.

Usage: .venv/bin/python -m bench.cycle [--lines 20000] [--invoices 50000]

Prints how long the first cycle (import + match + post) and a no-op rerun take,
lines per second, and the peak Python memory of the first cycle.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
import tracemalloc
from pathlib import Path

from arbridge.app import build_app
from arbridge.app.logs import configure_logging
from arbridge.config import load_settings
from arbridge.scheduler import run_cycle
from bench.datasets import CONTRACT_CONFIG, write_dataset


def _read_floor(data: Path) -> float:
    """Seconds to merely read every input file with the csv module."""
    started = time.perf_counter()
    for path in [
        data / "erp" / "customers.csv",
        data / "erp" / "invoices.csv",
        *sorted((data / "bank").iterdir()),
    ]:
        with path.open(encoding="utf-8", newline="") as fh:
            for _ in csv.reader(fh):
                pass
    return time.perf_counter() - started


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--invoices", type=int, default=50_000)
    args = parser.parse_args()
    configure_logging("warning")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        write_dataset(data, args.lines, args.invoices)
        (data / "arbridge.yaml").write_text(CONTRACT_CONFIG.format(data=data), encoding="utf-8")
        floor = _read_floor(data)
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
    print(
        f"floor (reading the input files with the csv module): {floor:.3f} s; "
        f"first cycle = {first / floor:.0f}x the floor"
    )
    print(f"peak Python memory during first cycle: {peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
