"""The health verdict: fresh cycles and connectors up make a healthy daemon."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from arbridge.app import build_app
from arbridge.app.monitoring import Monitor
from arbridge.config import load_settings
from arbridge.scheduler import run_cycle


def test_health_is_stale_before_any_cycle_and_ok_after_one(contract_data: Path) -> None:
    app = build_app(load_settings(contract_data / "arbridge.yaml"))
    monitor = Monitor(app.store, lease=None, stale_after=timedelta(minutes=15))

    healthy, body = monitor.health()
    assert (healthy, body["status"]) == (False, "stale")

    monitor.record(run_cycle(app.cycle_deps()))
    healthy, body = monitor.health()
    assert (healthy, body["status"]) == (True, "ok")
    assert (
        body["review_open"] == 4
    )  # TX0005 look-alikes, TX0006 duplicate, TX0010 unknown, TX0012 interest

    later = datetime.now(UTC) + timedelta(minutes=16)
    assert monitor.health(later) == (False, {**body, "status": "stale"})
