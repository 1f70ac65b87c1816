"""Running the installed product as a daemon (`arbridge run`) and reading its cycles.

A daemon keeps the ERP's records and the engine's indexes between cycles, which a
one-shot `run --once` process cannot: a steady cycle (a few new lines on a large book)
is measured here, on the daemon an unattended installation runs. Its time is the
`seconds.cycle` of the `cycle_finished` event of the cycle that imported the new lines;
its memory is the daemon's VmHWM, the peak RSS the kernel keeps for the process over
its whole life (read once at the end: nothing samples or traces the daemon).
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench._runs import ARBRIDGE, hwm_kib

__all__ = ["DaemonRun", "run_daemon"]


@dataclass(frozen=True, slots=True)
class DaemonRun:
    """The cycles of one daemon up to its steady cycle, and its memory."""

    cycles: list[dict[str, Any]]  # cycle_finished events, in order
    steady: dict[str, Any]  # the cycle that imported the new statement
    peak_rss_mib: float  # VmHWM: the peak over the daemon's whole life
    rss_mib: float  # VmRSS after the steady cycle


def _events(log: Path) -> list[dict[str, Any]]:
    out = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if '"cycle_finished"' in line:
            out.append(json.loads(line))
    return out


def _idle(event: dict[str, Any]) -> bool:
    return not event.get("lines_new") and bool(event.get("erp_unchanged"))


def _rss_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return 0
    return next((int(s.split()[1]) for s in status.splitlines() if s.startswith("VmRSS:")), 0)


def _wait_for(
    process: subprocess.Popen[bytes],
    log: Path,
    done: Callable[[list[dict[str, Any]]], bool],
    deadline: float,
) -> list[dict[str, Any]]:
    while True:
        events = _events(log)
        if done(events):
            return events
        if process.poll() is not None:
            raise RuntimeError(f"the daemon exited {process.returncode}; see {log}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"the daemon did not get there in time; see {log}")
        time.sleep(0.2)


def run_daemon(config: Path, add_statement: Callable[[], None], timeout: float = 3600) -> DaemonRun:
    """Run `arbridge run` until it idles, add a statement, and wait for the cycle importing it."""
    log = config.parent / "daemon.log"
    command = [str(ARBRIDGE), "--config", str(config), "run"]
    deadline = time.monotonic() + timeout
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=sink)
    try:
        before = _wait_for(process, log, lambda e: bool(e) and _idle(e[-1]), deadline)
        add_statement()
        events = _wait_for(
            process, log, lambda e: any(x.get("lines_new") for x in e[len(before) :]), deadline
        )
        peak, rss = hwm_kib(process.pid), _rss_kib(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=600)
    steady = next(x for x in events[len(before) :] if x.get("lines_new"))
    return DaemonRun(events, steady, peak / 1024, rss / 1024)
