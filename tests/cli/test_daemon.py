"""`arbridge run` as a real process: cycles on its interval and stops cleanly on SIGTERM."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO

ARBRIDGE = Path(sys.executable).parent / "arbridge"


def _wait_for(predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_daemon_runs_a_cycle_then_exits_0_on_signal(contract_data: Path, sig: int) -> None:
    config = contract_data / "arbridge.yaml"
    with config.open("a", encoding="utf-8") as fh:
        fh.write("schedule:\n  interval_seconds: 3600\nlogging:\n  format: json\n")
    applications = contract_data / "out" / "applications.csv"
    process = subprocess.Popen(
        [str(ARBRIDGE), "--config", str(config), "run"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert _wait_for(applications.exists), "the first cycle never wrote applications"
        assert _wait_for(lambda: _run_finished(contract_data))
        process.send_signal(sig)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()

    assert process.returncode == 0, err
    assert "cycle " in out
    assert '"event": "daemon_stopped"' in err
    with applications.open(encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 5


def _run_finished(data: Path) -> bool:
    with sqlite3.connect(data / "state.db") as db:
        try:
            rows = db.execute("SELECT count(*) FROM run WHERE finished_at IS NOT NULL").fetchone()
        except sqlite3.OperationalError:
            return False
    return bool(rows and rows[0] >= 1)
