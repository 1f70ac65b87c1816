"""`arbridge run` as a real process: cycles on its interval and stops cleanly on SIGTERM."""

from __future__ import annotations

import csv
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import httpx
import pytest

from tests.conftest import REPO

ARBRIDGE = Path(sys.executable).parent / "arbridge"


def _wait_for(predicate: Callable[[], bool], timeout: float = 90.0) -> bool:
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
        assert len(list(csv.DictReader(fh))) == 9  # 7 lines applied, one with a credit row


def _run_finished(data: Path) -> bool:
    with sqlite3.connect(data / "state.db") as db:
        try:
            rows = db.execute("SELECT count(*) FROM run WHERE finished_at IS NOT NULL").fetchone()
        except sqlite3.OperationalError:
            return False
    return bool(rows and rows[0] >= 1)


@pytest.mark.slow
def test_a_second_daemon_waits_then_takes_over_when_the_first_is_killed(
    contract_data: Path,
) -> None:
    config = contract_data / "arbridge.yaml"
    with config.open("a", encoding="utf-8") as fh:
        fh.write("schedule:\n  interval_seconds: 3600\nlogging:\n  format: json\n")
    first = _start(config)
    second: subprocess.Popen[str] | None = None
    second_log = contract_data / "second.log"
    try:
        assert _wait_for(lambda: _run_finished(contract_data))
        with second_log.open("w", encoding="utf-8") as log:
            second = _start(config, stderr=log)
        assert _wait_for(lambda: '"event": "lease_waiting"' in second_log.read_text(), 60)
        assert _runs(contract_data) == 1, "the second daemon ran while the first held the lease"

        first.kill()  # SIGKILL: no clean-up runs, the OS frees the lock
        first.communicate(timeout=10)
        assert _wait_for(lambda: _runs(contract_data) == 2, 60)
        second.send_signal(signal.SIGTERM)
        second.communicate(timeout=30)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.communicate(timeout=10)

    err = second_log.read_text(encoding="utf-8")
    assert '"event": "lease_acquired"' in err
    assert second.returncode == 0


def _start(config: Path, stderr: IO[str] | int = subprocess.PIPE) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(ARBRIDGE), "--config", str(config), "run"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _runs(data: Path) -> int:
    with sqlite3.connect(data / "state.db") as db:
        row = db.execute("SELECT count(*) FROM run WHERE finished_at IS NOT NULL").fetchone()
    return int(row[0])


@pytest.mark.slow
def test_healthz_and_metrics_report_the_running_daemon(contract_data: Path) -> None:
    port = _free_port()
    config = contract_data / "arbridge.yaml"
    with config.open("a", encoding="utf-8") as fh:
        fh.write(f"schedule:\n  interval_seconds: 3600\nmonitoring:\n  listen: 127.0.0.1:{port}\n")
    (contract_data / "erp" / "customers.csv").rename(contract_data / "erp" / "gone.csv")
    daemon = _start(config)
    try:
        assert _wait_for(lambda: _run_finished(contract_data))
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.communicate(timeout=30)

    assert health.status_code == 503  # the ERP export is missing: degraded, not healthy
    body = health.json()
    assert body["status"] == "degraded"
    assert body["connectors"]["books"]["status"] == "down"
    assert body["connectors"]["operating"]["status"] == "up"
    assert body["lease_holder"].startswith(f"pid {daemon.pid}@")
    assert 'arbridge_connector_up{connector="books"} 0.0' in metrics
    assert 'arbridge_cycles_total{status="partial"} 1.0' in metrics
    assert 'arbridge_events_total{kind="lines_new"} 12.0' in metrics
    assert 'arbridge_review_items{status="open"} 1.0' in metrics


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_web_port_in_use_stops_the_daemon_with_one_clear_line(contract_data: Path) -> None:
    config = contract_data / "arbridge.yaml"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with config.open("a", encoding="utf-8") as fh:
            fh.write(f"schedule:\n  interval_seconds: 3600\nweb:\n  listen: 127.0.0.1:{port}\n")
        daemon = _start(config)
        _, stderr = daemon.communicate(timeout=60)

    assert daemon.returncode == 1
    assert f"arbridge: the web page could not listen on 127.0.0.1:{port}" in stderr
    assert "Traceback" not in stderr
