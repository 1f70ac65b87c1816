"""Running the installed product in child processes and reading what it reports.

Time and memory are taken from separate runs of the real CLI: the time from the
`seconds` of the `cycle_finished` log event (and the wall clock), the peak memory as
the child's own peak RSS (its VmHWM in /proc), never from tracemalloc, which slows
Python several-fold.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ARBRIDGE = Path(sys.executable).parent / "arbridge"

__all__ = ["Cycle", "hash_floor", "hwm_kib", "read_floor", "rss_floor", "run_cli"]


@dataclass(frozen=True, slots=True)
class Cycle:
    """One `arbridge run --once` in a child process."""

    wall: float
    peak_rss_mib: float
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def cycle(self) -> float:
        """The cycle's own seconds (`seconds.cycle` of `cycle_finished`)."""
        return self.seconds.get("cycle", float("nan"))


def hwm_kib(pid: int) -> int:
    """The process's peak RSS so far (VmHWM), 0 once it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _wait(process: subprocess.Popen[bytes], timeout: float) -> tuple[int, float]:
    """Exit status and peak RSS (MiB) of this one child.

    The peak is the child's VmHWM, polled until it exits: `ru_maxrss` would also count
    the pages of this (large) process at the time it was forked.
    """
    deadline = time.monotonic() + timeout
    peak = 0
    while True:
        peak = max(peak, hwm_kib(process.pid))
        pid, status, _ = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process.returncode, peak / 1024
        if time.monotonic() > deadline:
            process.kill()
            raise TimeoutError(f"{process.args!r} did not finish in {timeout:.0f} s")
        time.sleep(0.005)


def run_cli(config: Path, *args: str, timeout: float = 3600) -> Cycle:
    """Run `arbridge --config CONFIG run --once ARGS`; its cycle_finished event and peak RSS."""
    log = config.parent / "last-run.log"
    command = [str(ARBRIDGE), "--config", str(config), "run", "--once", *args]
    started = time.perf_counter()
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=sink)
        code, rss = _wait(process, timeout)
    wall = time.perf_counter() - started
    if code != 0:
        raise RuntimeError(f"arbridge exited {code}; see {log}")
    event = _finished(log)
    counts = {k: v for k, v in event.items() if isinstance(v, int) and not isinstance(v, bool)}
    return Cycle(wall, rss, dict(event.get("seconds", {})), counts)


def _finished(log: Path) -> dict[str, Any]:
    for line in reversed(log.read_text(encoding="utf-8").splitlines()):
        if '"cycle_finished"' in line:
            event: dict[str, Any] = json.loads(line)
            return event
    raise RuntimeError(f"no cycle_finished event in {log} (is logging.format json?)")


def inputs(data: Path) -> list[Path]:
    """Every input file of the contract layout."""
    bank = sorted(p for p in (data / "bank").rglob("*") if p.is_file())
    return [data / "erp" / "customers.csv", data / "erp" / "invoices.csv", *bank]


def read_floor(data: Path) -> float:
    """Seconds to merely read every input file with the csv module."""
    started = time.perf_counter()
    for path in inputs(data):
        with path.open(encoding="utf-8", newline="") as fh:
            for _ in csv.reader(fh):
                pass
    return time.perf_counter() - started


def hash_floor(data: Path) -> float:
    """Seconds to hash every input file: what telling unchanged inputs apart costs."""
    started = time.perf_counter()
    for path in inputs(data):
        with path.open("rb") as fh:
            hashlib.file_digest(fh, "sha256")
    return time.perf_counter() - started


_HOLD = """
import csv, sys
rows = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows.append(list(csv.reader(fh)))
"""


def rss_floor(data: Path) -> float:
    """Peak RSS (MiB) of a Python process holding every input's rows as read by the csv module."""
    files = [str(p) for p in inputs(data)]
    process = subprocess.Popen([sys.executable, "-c", _HOLD, *files])
    code, rss = _wait(process, 3600)
    if code != 0:
        raise RuntimeError("the memory floor's child failed")
    return rss
