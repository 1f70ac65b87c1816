"""Scale bench: a large backlog worked by one, two and three daemons on one PostgreSQL.

Usage: .venv/bin/python -m bench.scale [--invoices 1000000] [--lines 200000]
       [--accounts 20] [--customers 50000] [--daemons 1,2,3] [--timeout 3600]

Writes the backlog once (one statement per bank account folder, csv ERP export), then
for each daemon count starts a fresh database on a throwaway PostgreSQL server, runs
that many `arbridge run` processes (`store.shared: true`) until every statement is
imported, every line decided and every application delivered, and prints throughput
and where the time went, summed over every cycle of every daemon from the
`cycle_finished` log events. Checks at the end that no (bank line, invoice) row is in
the ERP twice and that every run leaves the ERP in the same state as the first.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text

from arbridge.store import create_store_engine
from bench._runs import hwm_kib
from bench.crash import Rows, applied_rows
from bench.multi import posted_by, stop_daemons
from bench.postgres_server import PostgresServer, find_bindir
from bench.scale_data import write_backlog, write_config

ROOT = Path(__file__).resolve().parents[1]  # this checkout's code, not whatever is installed
PHASES = (
    ("bank_read", "bank: parse statement files"),
    ("bank_store", "bank: store lines"),
    ("erp_fetch", "ERP: read export (customers, invoices)"),
    ("erp_save", "ERP: save snapshot to the store"),
    ("decide_lock", "decide: wait for the decide lock"),
    ("decide_load", "decide: load pending lines, outbox, links"),
    ("match", "decide: matching engine (pure)"),
    ("decide_write", "decide: store decisions"),
    ("push_erp", "push: ERP calls (csv append)"),
    ("push_store", "push: claims and delivery records"),
)


@dataclass(frozen=True, slots=True)
class ScaleRun:
    """What one daemon count did."""

    daemons: int
    seconds: float
    outcome: dict[str, int]
    phases: Counter[str]
    cycles: list[int]  # cycles finished, per daemon
    failed: int  # cycles that ended in an exception (cycle_failed)
    posted_by: dict[str, int]
    rows: Rows
    peak_rss_mib: list[float]  # per daemon: its own VmHWM


def _scalar(conn: object, sql: str) -> int:
    return int(conn.execute(text(sql)).scalar_one())  # type: ignore[attr-defined]  # Connection.execute is typed per dialect; this is PostgreSQL's scalar count


def _progress(url: str, accounts: int) -> bool:
    """True once every statement is imported and nothing is left to decide or deliver."""
    engine = create_store_engine(url)
    try:
        with engine.connect() as conn:
            if not conn.dialect.has_table(conn, "outbox"):
                return False
            files = _scalar(conn, "SELECT count(*) FROM bank_file")
            lines = _scalar(conn, "SELECT count(*) FROM bank_line WHERE status = 'pending'")
            outbox = _scalar(conn, "SELECT count(*) FROM outbox WHERE status = 'pending'")
    finally:
        engine.dispose()
    return files >= accounts and not lines and not outbox


def _outcome(url: str) -> dict[str, int]:
    engine = create_store_engine(url)
    try:
        with engine.connect() as conn:
            by_status = conn.execute(text("SELECT status, count(*) FROM bank_line GROUP BY 1"))
            out = {f"lines {s}": int(n) for s, n in by_status}
            out["applications sent"] = _scalar(
                conn, "SELECT count(*) FROM outbox WHERE status = 'sent'"
            )
            out["review items"] = _scalar(conn, "SELECT count(*) FROM review_item")
    finally:
        engine.dispose()
    return out


def _phases(logs: list[Path]) -> tuple[Counter[str], list[int], int]:
    """Seconds per phase summed over every cycle in the daemons' logs; cycles per daemon; failures."""
    total: Counter[str] = Counter()
    cycles = []
    failed = 0
    for path in logs:
        cycles.append(0)
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                failed += '"cycle_failed"' in line
                if '"cycle_finished"' not in line:
                    continue
                event = json.loads(line)
                cycles[-1] += 1
                for phase, spent in event.get("seconds", {}).items():
                    total[phase] += spent
    total["push_store"] = total["push"] - total["push_erp"]
    return total, cycles, failed


def run_count(
    data: Path, url: str, *, daemons: int, accounts: int, batch: int, timeout: float
) -> ScaleRun:
    """Run `daemons` processes over the backlog in `data` until it is done."""
    config = write_config(data, url, accounts=accounts, claim_batch=batch)
    command = [sys.executable, "-m", "arbridge", "--config", str(config), "run"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
    logs = [data / f"daemon{n}.log" for n in range(daemons)]
    started = time.perf_counter()
    procs = []
    for log in logs:
        with log.open("w") as sink:
            procs.append(subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env))
    peaks = [0] * daemons
    try:
        while not _progress(url, accounts):
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"{daemons} daemon(s) did not finish in {timeout:.0f} s")
            if any(p.poll() is not None for p in procs):
                raise RuntimeError(f"a daemon exited early; see {logs}")
            peaks = [max(k, hwm_kib(p.pid)) for k, p in zip(peaks, procs, strict=True)]
            time.sleep(0.5)
        seconds = time.perf_counter() - started
        peaks = [max(k, hwm_kib(p.pid)) for k, p in zip(peaks, procs, strict=True)]
    finally:
        stop_daemons(procs, timeout=600)
    phases, cycles, failed = _phases(logs)
    return ScaleRun(
        daemons,
        seconds,
        _outcome(url),
        phases,
        cycles,
        failed,
        posted_by(url),
        applied_rows(data),
        [k / 1024 for k in peaks],
    )


def exactly_once(rows: Rows) -> tuple[bool, Decimal]:
    """No (bank line, invoice) row twice; and the total amount applied."""
    total = sum((Decimal(r[3]) * n for r, n in rows.items()), Decimal(0))
    return all(n == 1 for n in rows.values()), total


def report(runs: list[ScaleRun], lines: int) -> None:
    """Print the throughput table, the time breakdown and the exactly-once checks."""
    print(
        f"{'daemons':>7} {'wall s':>8} {'lines/s':>8} {'applied':>8} {'review':>7} "
        f"{'ignored':>7} {'sent':>8} {'cycles':>6} {'failed':>6}  deliveries by daemon"
    )
    for r in runs:
        o = r.outcome
        print(
            f"{r.daemons:>7} {r.seconds:>8.1f} {lines / r.seconds:>8.0f} "
            f"{o.get('lines applied', 0):>8} {o.get('lines review', 0):>7} "
            f"{o.get('lines ignored', 0):>7} {o.get('applications sent', 0):>8} {'+'.join(map(str, r.cycles)):>6} {r.failed:>6}  "
            f"{sorted(r.posted_by.values(), reverse=True)}"
        )
    print("\nwhere the time went (seconds, summed over all cycles of all daemons):")
    print(f"{'phase':<44}" + "".join(f"{f'{r.daemons}d':>9}" for r in runs))
    for key, label in PHASES:
        print(f"{label:<44}" + "".join(f"{r.phases[key]:>9.1f}" for r in runs))
    print(f"{'whole cycles':<44}" + "".join(f"{r.phases['cycle']:>9.1f}" for r in runs))
    print("\npeak RSS per daemon (MiB, VmHWM; target <= 1024 at 1M invoices):")
    for r in runs:
        print(f"  {r.daemons} daemon(s): {', '.join(f'{m:.0f}' for m in r.peak_rss_mib)}")
    reference = runs[0].rows
    for r in runs:
        once, total = exactly_once(r.rows)
        print(
            f"{r.daemons} daemon(s): ERP rows {sum(r.rows.values()):,}, each (line, invoice) "
            f"once: {once}; total applied {total}; same ERP state as {runs[0].daemons} "
            f"daemon(s): {r.rows == reference}"
        )


def main() -> None:
    """Write the backlog, run each daemon count on a fresh database, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--daemons", default="1,2,3")
    parser.add_argument("--claim-batch", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--keep", type=Path, help="work in this (new) folder and keep the logs")
    args = parser.parse_args()
    bindir = find_bindir()
    if bindir is None:
        sys.exit("PostgreSQL is not installed: run scripts/test-deps as root")
    counts = [int(n) for n in args.daemons.split(",")]
    server = PostgresServer(bindir)
    server.start()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            tmp = args.keep or scratch
            pristine = Path(tmp) / "pristine"
            started = time.perf_counter()
            write_backlog(
                pristine,
                invoices=args.invoices,
                lines=args.lines,
                accounts=args.accounts,
                customers=args.customers,
            )
            print(
                f"backlog written in {time.perf_counter() - started:.1f} s: {args.invoices:,} "
                f"invoices, {args.customers:,} customers, {args.lines:,} lines in "
                f"{args.accounts} accounts",
                flush=True,
            )
            runs = []
            for count in counts:
                work = Path(tmp) / f"d{count}"
                shutil.copytree(pristine, work)
                url = server.fresh_database_empty()
                runs.append(
                    run_count(
                        work,
                        url,
                        daemons=count,
                        accounts=args.accounts,
                        batch=args.claim_batch,
                        timeout=args.timeout,
                    )
                )
                print(f"{count} daemon(s) done in {runs[-1].seconds:.1f} s", flush=True)
                shutil.rmtree(work / "erp")
            report(runs, args.lines)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
