"""Daemons sharing a store reuse an ERP snapshot another daemon read moments ago.

Reading a large ERP takes seconds to minutes and counts against the vendor's request
limits; several daemons each reading it every cycle multiply that. A daemon that pulls
records when its read began (`store.snapshot_reads`); the others take the stored
snapshot while it is younger than `max_age`, with that time as the snapshot's
`taken_at`, so decide nets out what was sent since (as for any earlier snapshot).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

import structlog
from apscheduler.triggers.base import BaseTrigger

from arbridge.connectors.base import ErpGateway
from arbridge.scheduler._book import Book, Records
from arbridge.scheduler._pull import Snapshot, pull_erp
from arbridge.scheduler._summary import RunSummary
from arbridge.store import Store, StoreConflictError, erp, snapshot_reads

log = structlog.get_logger("arbridge.cycle")


def pull_or_reuse(
    store: Store,
    gateway: ErpGateway,
    summary: RunSummary,
    clock: Callable[[], datetime],
    triggers: Mapping[str, BaseTrigger],
    *,
    max_age: timedelta | None,
    book: Book | None = None,
) -> Snapshot | None:
    """The stored snapshot if another daemon read it within `max_age`, else `pull_erp`.

    `max_age` None (or zero): always pull, and record nothing (one daemon alone).
    """
    if not max_age:
        return pull_erp(store, gateway, summary, clock, triggers, book=book)
    with store.transaction() as session:
        read_at = snapshot_reads.fresh_read(session, gateway.name, now=clock(), max_age=max_age)
    if read_at is not None:
        summary.add("erp_reused")
        log.info("erp_snapshot_reused", read_at=read_at.isoformat())
        return Snapshot(taken_at=read_at, load=lambda: _stored(store, gateway.name))
    started = clock()
    snapshot = pull_erp(store, gateway, summary, clock, triggers, book=book)
    if snapshot is not None and snapshot.taken_at is None:  # the ERP as read from `started`
        try:
            with store.transaction() as session:
                snapshot_reads.record_read(session, gateway.name, read_at=started, now=clock())
        except StoreConflictError:  # another daemon recorded its read at the same moment
            log.info("erp_read_record_taken")
    return snapshot


def _stored(store: Store, name: str) -> Records:
    with store.transaction() as session:
        stored = erp.load_snapshot(session, name)
    if stored is None:  # cannot happen: reuse needs a stored snapshot; read as empty
        return [], []
    return stored[0], stored[1]
