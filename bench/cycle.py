"""Benchmark: the cycles of `arbridge run --once` on the contract layout, each next to its floor.

Usage: python -m bench.cycle [--lines 20000] [--invoices 60000] [--steady 1000]

Runs the installed CLI (`make install` is enough) in child processes on a synthetic
backlog in the contract layout (SQLite store, csv ERP):

- first cycle: every line new, every invoice new;
- second cycle: no new line, but the ERP export changed (applications.csv grew);
- idle cycle: nothing new at all;
- steady cycle (with --steady N): a new statement of N lines on the same book.

The steady cycle is measured twice: in a one-shot process like the others (which must
read the whole book and build the engine's indexes first), and in a daemon (`arbridge
run`, as an unattended installation runs it) that worked the same backlog first, idled,
and then got the statement: the daemon keeps the book and the indexes between cycles.
The target is the daemon's; its peak memory is its VmHWM over its whole life.

Times are the `seconds.cycle` of each run's `cycle_finished` event (wall clock of the
process beside it); peak memory is the child's RSS, measured in a separate sequence of
runs on a fresh copy (the same commands), so nothing that measures memory slows the
timed runs. Floors: the matching engine alone on the same data (in this process),
reading the inputs with the csv module, hashing them, holding their rows in memory.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from arbridge.app import build_bank_source, match_settings
from arbridge.app.erp_gateways import build_erp_gateway
from arbridge.config import load_settings
from arbridge.matching import MatchContext, match_lines
from bench._daemon import DaemonRun, run_daemon
from bench._runs import Cycle, hash_floor, read_floor, rss_floor, run_cli
from bench.datasets import CONTRACT_CONFIG, write_dataset, write_more_lines

STEPS = ("first", "second", "idle", "steady")
LABELS = {
    "first": "first cycle",
    "second": "second cycle",
    "idle": "idle cycle",
    "steady": "steady cycle",
}


def _config(data: Path, extra: str = "") -> Path:
    config = data / "arbridge.yaml"
    text = CONTRACT_CONFIG.format(data=data) + "logging:\n  format: json\n" + extra
    config.write_text(text, encoding="utf-8")
    return config


def run_daemon_sequence(pristine: Path, work: Path, steady: int) -> DaemonRun:
    """A daemon on a fresh copy: its first cycles, an idle one, then the steady statement."""
    shutil.copytree(pristine, work)
    config = _config(work, "schedule:\n  interval_seconds: 1\n")
    stage = work / "stage"
    stage.mkdir()

    def add_statement() -> None:  # moved in whole: the daemon never sees half a file
        path = write_more_lines(work, steady, name="steady.csv", into=stage)
        path.rename(work / "bank" / path.name)

    return run_daemon(config, add_statement)


def engine_seconds(data: Path) -> float:
    """The matching engine alone on the same lines and invoices (read with the product's readers)."""
    settings = load_settings(_config(data))
    source = build_bank_source(settings.connectors.bank[0])
    gateway = build_erp_gateway(settings.connectors.erp)
    customers = {c.customer_id: c for c in gateway.fetch_customers()}
    invoices = list(gateway.fetch_invoices())
    lines = [line for file in source.list_files() for line in source.read(file)]
    context = MatchContext(customers=customers, invoices=invoices)
    started = time.perf_counter()
    match_lines(lines, context, match_settings(settings.matching))
    return time.perf_counter() - started


def run_sequence(pristine: Path, work: Path, steady: int) -> dict[str, Cycle]:
    """The four cycles, one process each, on a fresh copy of the backlog."""
    shutil.copytree(pristine, work)
    config = _config(work)
    out = {"first": run_cli(config), "second": run_cli(config), "idle": run_cli(config)}
    if steady:
        write_more_lines(work, steady, name="steady.csv")
        out["steady"] = run_cli(config)
    return out


def _phases(cycle: Cycle) -> str:
    skip = {"cycle"}
    return " ".join(f"{k}={v:.2f}" for k, v in cycle.seconds.items() if k not in skip and v >= 0.01)


def report(
    args: argparse.Namespace,
    timed: dict[str, Cycle],
    rss: dict[str, Cycle],
    floors: dict[str, float],
    daemon: DaemonRun | None,
) -> None:
    """Each figure beside its floor and target."""
    engine, reading = floors["engine"], floors["read"]
    first = timed["first"].cycle
    print(f"bank lines: {args.lines:,}  invoices: {args.invoices:,}  steady lines: {args.steady:,}")
    print(
        f"floor: matching engine alone {engine:.2f} s; reading inputs with csv {reading:.3f} s; "
        f"hashing inputs {floors['hash']:.3f} s; holding inputs' rows {floors['rss']:.0f} MiB"
    )
    print(f"{'cycle':<14}{'seconds':>9}{'wall s':>8}{'peak RSS MiB':>14}  floor / target")
    notes = {
        "first": f"{first / engine:.1f}x engine ({args.lines / first:,.0f} lines/s); "
        f"target <= 5x engine and <= 15 s",
        "second": "ERP export changed (applications.csv grew); no new line",
        "idle": f"hash floor {floors['hash']:.3f} s; target <= 0.3 s at 60k, <= 2 s at 1M",
        "steady": "one-shot process: reads the whole book first (target is the daemon's)",
    }
    for step in STEPS:
        if step in timed:
            t, m = timed[step], rss[step]
            print(
                f"{LABELS[step]:<14}{t.cycle:>9.2f}{t.wall:>8.2f}{m.peak_rss_mib:>14.0f}  {notes[step]}"
            )
    if daemon is not None:
        _daemon_report(daemon, engine)
    print("\nper-phase seconds (cycle_finished):")
    for step in STEPS:
        if step in timed:
            print(f"  {LABELS[step]}: {_phases(timed[step])}")
    if daemon is not None:
        print(f"  daemon steady cycle: {_phases(Cycle(0, 0, daemon.steady['seconds']))}")
    c = timed["first"].counts
    print(
        f"\nfirst cycle: applied {c.get('applied', 0):,}, queued {c.get('queued', 0):,}, "
        f"posted {c.get('posted', 0):,}"
    )


def _daemon_report(daemon: DaemonRun, engine: float) -> None:
    seconds = [e["seconds"]["cycle"] for e in daemon.cycles]
    steady = daemon.steady["seconds"]["cycle"]
    print(
        f"{'steady daemon':<14}{steady:>9.2f}{'':>8}{daemon.peak_rss_mib:>14.0f}  "
        f"target <= 5 s; peak RSS over the daemon's life, target <= 1024 MiB at 1M invoices "
        f"(RSS after it {daemon.rss_mib:.0f} MiB)"
    )
    print(
        f"  daemon cycles (s): {' '.join(f'{s:.2f}' for s in seconds)}  "
        f"(first, then appended rows, idle..., steady); engine alone on the backlog {engine:.2f} s"
    )


def main() -> None:
    """Write the backlog, measure the floors, time the cycles, then measure their memory."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--invoices", type=int, default=60_000)
    parser.add_argument(
        "--steady", type=int, default=1_000, help="lines of the steady cycle (0: none)"
    )
    parser.add_argument("--keep", type=Path, help="work in this (new) folder and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch)
        pristine = root / "pristine"
        write_dataset(pristine, args.lines, args.invoices)
        floors = {
            "read": read_floor(pristine),
            "hash": hash_floor(pristine),
            "rss": rss_floor(pristine),
            "engine": engine_seconds(pristine),
        }
        timed = run_sequence(pristine, root / "timed", args.steady)
        rss = run_sequence(pristine, root / "memory", args.steady)
        daemon = (
            run_daemon_sequence(pristine, root / "daemon", args.steady) if args.steady else None
        )
    report(args, timed, rss, floors, daemon)


if __name__ == "__main__":
    main()
