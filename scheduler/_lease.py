"""Waiting for the daemon lease, saying so while another process holds it."""

from __future__ import annotations

import threading

import structlog

from arbridge.store.lease import Lease

log = structlog.get_logger("arbridge.lease")


def wait_for_lease(lease: Lease, stop: threading.Event, *, poll_seconds: float = 5.0) -> bool:
    """Block until this process holds the lease; False if `stop` was set first."""
    announced = False
    while not stop.is_set():
        if lease.try_acquire():
            log.info("lease_acquired", holder=lease.holder())
            return True
        if not announced:
            log.warning(
                "lease_waiting",
                holder=lease.holder(),
                detail="another arbridge daemon works on this store; waiting to take over",
            )
            announced = True
        stop.wait(poll_seconds)
    return False
