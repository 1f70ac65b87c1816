"""Crash safety: kill -9 `arbridge run --once` at random points, restart, compare with a clean run.

Usage: .venv/bin/python -m bench.crash [--trials 50] [--lines 600] [--seed 1]

Each trial copies a fresh dataset, starts the real CLI in a subprocess, kills it with
SIGKILL after a random delay, then runs it again to completion. The ERP's final state
(the rows of applications.csv, without their timestamps) must equal a clean run's:
no application missing, none twice.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.datasets import CONTRACT_CONFIG, write_dataset

ARBRIDGE = Path(sys.executable).parent / "arbridge"
Rows = Counter[tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Trial:
    """What one kill-and-restart did."""

    delay: float
    killed: bool
    rows_before_restart: int
    matches_clean_run: bool
    missing: int = 0
    extra: int = 0


def prepare(root: Path, lines: int) -> Path:
    """A pristine dataset to copy for each trial."""
    data = root / "pristine"
    write_dataset(data, lines, lines * 2)
    return data


def applied_rows(data: Path) -> Rows:
    """The ERP's state: every row of applications.csv except its timestamp."""
    path = data / "out" / "applications.csv"
    if not path.exists():
        return Counter()
    with path.open(encoding="utf-8", newline="") as fh:
        return Counter(tuple(row[:-1]) for row in list(csv.reader(fh))[1:])


def run_once(data: Path, *, kill_after: float | None = None) -> bool:
    """Run one cycle in a real process; with `kill_after`, SIGKILL it then. True if killed."""
    config = data / "arbridge.yaml"
    config.write_text(CONTRACT_CONFIG.format(data=data), encoding="utf-8")
    command = [str(ARBRIDGE), "--config", str(config), "run", "--once"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if kill_after is None:
        if process.wait(timeout=600) != 0:
            raise RuntimeError(f"arbridge exited {process.returncode} on {data}")
        return False
    try:
        process.wait(timeout=kill_after)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True
    return False


def trial(pristine: Path, work: Path, clean: Rows, delay: float) -> Trial:
    """Kill after `delay` seconds, restart, and compare with the clean run."""
    shutil.copytree(pristine, work)
    killed = run_once(work, kill_after=delay)
    before = sum(applied_rows(work).values())
    run_once(work)
    final = applied_rows(work)
    missing, extra = sum((clean - final).values()), sum((final - clean).values())
    if final != clean:
        (work / "MISMATCH").write_text(f"missing {clean - final}\nextra {final - clean}\n")
    return Trial(delay, killed, before, final == clean, missing, extra)


def run_trials(root: Path, *, trials: int, lines: int, seed: int) -> tuple[Rows, list[Trial]]:
    """The clean run's rows and every trial's outcome."""
    pristine = prepare(root, lines)
    reference = root / "clean"
    shutil.copytree(pristine, reference)
    started = time.perf_counter()
    run_once(reference)
    full = time.perf_counter() - started
    clean = applied_rows(reference)
    rng = random.Random(seed)
    outcomes = [
        trial(pristine, root / f"trial-{n}", clean, rng.uniform(full * 0.3, full * 1.05))
        for n in range(trials)
    ]
    return clean, outcomes


def main() -> None:
    """Run the trials and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--lines", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep the trial folders here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        clean, outcomes = run_trials(root, trials=args.trials, lines=args.lines, seed=args.seed)
    killed = [t for t in outcomes if t.killed]
    mid = [t for t in killed if 0 < t.rows_before_restart < sum(clean.values())]
    bad = [t for t in outcomes if not t.matches_clean_run]
    print(f"clean run: {sum(clean.values())} application rows from {args.lines} bank lines")
    print(
        f"trials: {len(outcomes)}, killed mid-process: {len(killed)}, "
        f"killed while posting (some rows written, not all): {len(mid)}"
    )
    print(f"final ERP state equal to the clean run: {len(outcomes) - len(bad)}/{len(outcomes)}")
    for t in bad:
        print(
            f"  MISMATCH after kill at {t.delay:.2f}s ({t.rows_before_restart} rows before): "
            f"{t.missing} rows missing, {t.extra} rows extra"
        )
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
