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
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from arbridge.scheduler._lease import wait_for_lease
from arbridge.store.lease import Lease

log = structlog.get_logger("arbridge.loop")


def make_trigger(
    *, interval_seconds: int, cron: str | None = None, jitter_seconds: int = 0
) -> BaseTrigger:
    """A cron trigger when a crontab line is given, else a fixed interval; both with jitter."""
    jitter = jitter_seconds or None
    if cron:
        return CronTrigger(**_cron_fields(cron), timezone=UTC, jitter=jitter)
    return IntervalTrigger(seconds=interval_seconds, jitter=jitter, timezone=UTC)


def _cron_fields(cron: str) -> dict[str, str]:
    """The five fields of a crontab line (minute hour day month day-of-week)."""
    minute, hour, day, month, day_of_week = cron.split()
    return {
        "minute": minute,
        "hour": hour,
        "day": day,
        "month": month,
        "day_of_week": day_of_week,
    }


def run_forever(
    cycle: Callable[[], object],
    *,
    trigger: BaseTrigger,
    lease: Lease | None = None,
    stop: threading.Event | None = None,
    grace_seconds: int = 300,
) -> None:
    """Run `cycle` now and then on `trigger` until SIGTERM/SIGINT or `stop` is set.

    With a lease, nothing runs until this process holds it (another daemon on the same
    store makes this one wait, and it takes over when that one dies). A signal lets the
    cycle in flight finish, then returns (the process exits 0).
    """
    stop = stop or threading.Event()
    previous = _install_handlers(stop)
    try:
        if lease is not None and not wait_for_lease(lease, stop):
            return
        scheduler = BackgroundScheduler(timezone=UTC)
        scheduler.add_job(
            _guarded(cycle),
            trigger,
            id="cycle",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=grace_seconds,
            next_run_time=datetime.now(UTC),
        )
        scheduler.start()
        log.info("daemon_started", trigger=str(trigger))
        stop.wait()
        log.info("daemon_stopping", detail="finishing the cycle in flight")
        scheduler.shutdown(wait=True)
    finally:
        if lease is not None:
            lease.release()
        _restore_handlers(previous)
    log.info("daemon_stopped")


def run_once(cycle: Callable[[], object], *, lease: Lease | None = None) -> bool:
    """Run one cycle while holding the lease (waiting for it); False if stopped while waiting."""
    stop = threading.Event()
    previous = _install_handlers(stop)
    try:
        if lease is not None and not wait_for_lease(lease, stop):
            return False
        cycle()
        return True
    finally:
        if lease is not None:
            lease.release()
        _restore_handlers(previous)


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
