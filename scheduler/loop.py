"""The daemon loop: APScheduler 3.x as a timer around `run_cycle`, stopped cleanly by SIGTERM/SIGINT.

APScheduler keeps no work state here: every cycle resumes from our own tables.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from types import FrameType

import structlog
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

log = structlog.get_logger("arbridge.loop")


def run_forever(
    cycle: Callable[[], object],
    *,
    interval_seconds: int,
    jitter_seconds: int = 0,
    stop: threading.Event | None = None,
) -> None:
    """Run `cycle` now and then every `interval_seconds` until SIGTERM/SIGINT or `stop` is set.

    A signal lets the cycle in flight finish, then returns (the process exits 0).
    """
    stop = stop or threading.Event()
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        _guarded(cycle),
        IntervalTrigger(seconds=interval_seconds, jitter=jitter_seconds or None, timezone=UTC),
        id="cycle",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=interval_seconds,
        next_run_time=datetime.now(UTC),
    )
    previous = _install_handlers(stop)
    try:
        scheduler.start()
        log.info("daemon_started", interval_seconds=interval_seconds)
        stop.wait()
        log.info("daemon_stopping", detail="finishing the cycle in flight")
        scheduler.shutdown(wait=True)
    finally:
        _restore_handlers(previous)
    log.info("daemon_stopped")


def _guarded(cycle: Callable[[], object]) -> Callable[[], None]:
    def job() -> None:
        try:
            cycle()
        except Exception:  # the loop must outlive any one bad cycle; the next one retries
            log.exception("cycle_failed")

    return job


_Handler = Callable[[int, FrameType | None], object] | int | None


def _install_handlers(stop: threading.Event) -> dict[int, _Handler]:
    if threading.current_thread() is not threading.main_thread():
        return {}

    def handler(signum: int, _frame: FrameType | None) -> None:
        log.info("signal_received", signal=signal.Signals(signum).name)
        stop.set()

    return {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}


def _restore_handlers(previous: dict[int, _Handler]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)
