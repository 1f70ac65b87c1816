"""Several daemons on one PostgreSQL store: work shared, one killed with -9, nothing twice.

Usage: .venv/bin/python -m bench.multi [--lines 1200] [--daemons 3] [--latency 0.05]
       .venv/bin/python -m bench.multi --erp csv [--lines 5000] [--daemons 3] [--kill]

Starts a throwaway PostgreSQL server (bench/postgres_server.py). Default (`--erp live`):
an Acumatica stand-in as its own process over HTTP, `--latency` seconds per API
call (bench/multi_live.py); 1 daemon, then N, then N with one SIGKILLed once a third of
the payments are in the stand-in's ledger; prints payments/s, the ratio N:1, and
duplicates / missing against the stand-in's ledger. `--erp csv`: the contract layout
and csv ERP, each run's ERP state compared with a single daemon on SQLite.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, text

from arbridge.store import create_store_engine
from bench.crash import Rows, applied_rows, run_once
from bench.datasets import CONTRACT_CONFIG, write_dataset
from bench.multi_live import Knobs, run_live
from bench.postgres_server import PostgresServer, find_bindir

ARBRIDGE = Path(sys.executable).parent / "arbridge"


@dataclass(frozen=True, slots=True)
class MultiRun:
    """What a multi-daemon run did."""

    seconds: float
    rows: Rows
    killed_pid: int | None
    posted_by: dict[str, int]


def _config(data: Path, url: str, claim: int, batch: int) -> Path:
    text_ = CONTRACT_CONFIG.format(data=data).replace(f"sqlite:///{data}/state.db", url)
    text_ = text_.replace(
        "store:\n", f"store:\n  shared: true\n  claim_seconds: {claim}\n  claim_batch: {batch}\n", 1
    )
    config = data / "arbridge.yaml"
    config.write_text(text_ + "schedule:\n  interval_seconds: 1\n", encoding="utf-8")
    return config


def _progress(url: str) -> tuple[int, int, int]:
    engine = create_store_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("outbox"):
                return 0, 0, 0  # not migrated yet
            files = conn.execute(text("SELECT count(*) FROM bank_file")).scalar_one()
            lines = conn.execute(
                text("SELECT count(*) FROM bank_line WHERE status = 'pending'")
            ).scalar_one()
            outbox = conn.execute(
                text("SELECT count(*) FROM outbox WHERE status = 'pending'")
            ).scalar_one()
    finally:
        engine.dispose()
    return int(files), int(lines), int(outbox)


def posted_by(url: str) -> dict[str, int]:
    engine = create_store_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT claimed_by, count(*) FROM outbox WHERE status = 'sent' "
                    "GROUP BY claimed_by"
                )
            )
            return {str(who): int(n) for who, n in rows}
    finally:
        engine.dispose()


def run_daemons(
    data: Path,
    url: str,
    *,
    daemons: int,
    kill_after_sent: int | None,
    claim_seconds: int = 60,
    claim_batch: int = 200,
    timeout: float = 600,
) -> MultiRun:
    """Run daemons until the backlog is done; SIGKILL one once `kill_after_sent` are posted."""
    config = _config(data, url, claim_seconds, claim_batch)
    command = [str(ARBRIDGE), "--config", str(config), "run"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()
    procs = [
        subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        for _ in range(daemons)
    ]
    killed: int | None = None
    try:
        while time.perf_counter() - started < timeout:
            files, pending_lines, pending_outbox = _progress(url)
            due = kill_after_sent is not None and killed is None and files
            if due and sum(posted_by(url).values()) >= (kill_after_sent or 0):
                procs[0].send_signal(signal.SIGKILL)
                killed = procs[0].pid
            if files and not pending_lines and not pending_outbox:
                break
            time.sleep(0.2)
        else:
            raise TimeoutError("the daemons did not finish the backlog")
        seconds = time.perf_counter() - started
    finally:
        stop_daemons(procs, timeout=60)
    return MultiRun(seconds, applied_rows(data), killed, posted_by(url))


def stop_daemons(procs: list[subprocess.Popen[bytes]], timeout: float) -> None:
    """SIGTERM every daemon still running (each finishes its cycle), then wait for all."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        proc.wait(timeout=timeout)


def clean_rows(root: Path, pristine: Path) -> Rows:
    """What one daemon on SQLite writes for the same backlog."""
    reference = root / "reference"
    shutil.copytree(pristine, reference)
    run_once(reference)
    return applied_rows(reference)


def main() -> None:
    """Run one and N daemons over the same backlog and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--erp", choices=["live", "csv"], default="live")
    parser.add_argument("--lines", type=int, default=None, help="1200 (live), 5000 (csv)")
    parser.add_argument("--daemons", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.05, help="live: seconds per call")
    parser.add_argument("--kill", action="store_true", help="csv: SIGKILL one daemon midway")
    args = parser.parse_args()
    bindir = find_bindir()
    if bindir is None:
        sys.exit("PostgreSQL is not installed: run scripts/test-deps as root")
    server = PostgresServer(bindir)
    server.start()
    try:
        if args.erp == "live":
            _live(server, args.lines or 1200, args.daemons, args.latency)
        else:
            _csv(server, args.lines or 5000, args.daemons, kill=args.kill)
    finally:
        server.stop()


def _live(server: PostgresServer, payments: int, daemons: int, latency: float) -> None:
    """1 daemon, N daemons, N daemons with one killed: payments/s and exactly-once."""
    print(
        f"Acumatica stand-in over HTTP, {latency * 1000:.0f} ms per API call, "
        f"{payments:,} payments, PostgreSQL store; load average {_load()}",
        flush=True,
    )
    knobs = Knobs()
    results = {}
    for count, kill in ((1, None), (daemons, None), (daemons, payments // 3)):
        with tempfile.TemporaryDirectory() as tmp:
            url = server.fresh_database_empty()
            result = run_live(
                Path(tmp),
                url,
                payments=payments,
                latency=latency,
                daemons=count,
                kill_after=kill,
                knobs=knobs,
            )
        print(result.line(), flush=True)
        results[(count, kill is not None)] = result
    one, many = results[(1, False)], results[(daemons, False)]
    ratio = many.per_second / one.per_second
    print(
        f"throughput {daemons} daemons / 1 daemon: {ratio:.2f}x (target >= 2.2x); "
        f"load average {_load()}",
        flush=True,
    )


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _csv(server: PostgresServer, lines: int, daemons: int, *, kill: bool) -> None:
    """The contract layout and csv ERP: N daemons against a single one on SQLite."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        pristine = root / "pristine"
        write_dataset(pristine, lines, lines * 3)
        clean = clean_rows(root, pristine)
        for count in sorted({1, daemons}):
            work = root / f"d{count}"
            shutil.copytree(pristine, work)
            url = server.fresh_database_empty()
            after = sum(clean.values()) // 3 if kill and count > 1 else None
            result = run_daemons(work, url, daemons=count, kill_after_sent=after)
            same = result.rows == clean
            print(
                f"{count} daemon(s): {lines:,} lines in {result.seconds:.1f} s "
                f"({lines / result.seconds:,.0f} lines/s); ERP state equals the "
                f"single-daemon run: {same}; killed: {result.killed_pid or 'none'}; "
                f"deliveries by daemon: {sorted(result.posted_by.values(), reverse=True)}"
            )


if __name__ == "__main__":
    main()
