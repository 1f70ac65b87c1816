"""Each cycle says where its time went: per-phase seconds in the summary and in `cycle_finished`."""

from __future__ import annotations

from pathlib import Path

from structlog.testing import capture_logs

from arbridge.app import build_app
from arbridge.config import load_settings
from arbridge.scheduler import run_cycle
from arbridge.scheduler._summary import RunSummary

PHASES = {
    "bank",
    "bank_read",
    "bank_store",
    "erp",
    "erp_fetch",
    "erp_save",
    "decide",
    "decide_lock",
    "decide_load",
    "match",
    "decide_write",
    "push",
    "push_erp",
}


def test_a_cycle_times_every_phase_and_logs_the_figures(contract_data: Path) -> None:
    app = build_app(load_settings(contract_data / "arbridge.yaml"))

    with capture_logs() as logs:
        summary = run_cycle(app.cycle_deps())

    assert summary.counts["posted"] > 0  # the phases below really did work
    assert PHASES | {"cycle"} <= set(summary.seconds)
    assert all(spent >= 0 for spent in summary.seconds.values())
    steps = sum(summary.seconds[p] for p in ("bank", "erp", "decide", "push"))
    assert steps <= summary.seconds["cycle"]
    parts = sum(summary.seconds[p] for p in ("decide_lock", "decide_load", "match", "decide_write"))
    assert parts <= summary.seconds["decide"]
    finished = [e for e in logs if e["event"] == "cycle_finished"]
    assert len(finished) == 1
    assert finished[0]["seconds"] == {p: round(s, 3) for p, s in summary.seconds.items()}


def test_a_nothing_to_do_cycle_skips_the_phases_it_did_not_enter(contract_data: Path) -> None:
    app = build_app(load_settings(contract_data / "arbridge.yaml"))
    run_cycle(app.cycle_deps())

    again = run_cycle(app.cycle_deps())

    assert "bank_read" not in again.seconds  # the statement files were archived or known
    assert "match" not in again.seconds  # no pending line: decide returns before matching


def test_timed_adds_up_repeated_phases() -> None:
    summary = RunSummary(run_id="r")

    for _ in range(3):
        with summary.timed("x"):
            pass
    with summary.timed("x"):
        total_before = summary.seconds["x"]

    assert summary.seconds["x"] >= total_before > 0
