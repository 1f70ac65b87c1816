"""Connector health: a failure is logged, recorded and queued for a person; recovery is automatic."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import structlog

from arbridge.domain.review import ReviewReason
from arbridge.review import NewReviewItem, open_item
from arbridge.review.system import close_connector_items
from arbridge.scheduler._summary import RunSummary
from arbridge.store import Store, StoreConflictError, health

log = structlog.get_logger("arbridge.cycle")
Clock = Callable[[], datetime]


def connector_failed(
    store: Store, name: str, error: str, summary: RunSummary, clock: Clock, *, role: str
) -> None:
    """Mark the connector down, alert, and open one review item per connector per day."""
    error = error.removeprefix(f"{name}: ")  # said once, here
    now = clock()
    summary.error(f"{name}: {error}", kind="connector_down")
    summary.add("connector_errors")
    item = NewReviewItem(
        dedupe_key=f"connector:{name}:{now.date().isoformat()}",
        reason=ReviewReason.CONNECTOR_DOWN.value,
        message=f"connector {name} failed: {error}",
    )
    try:
        with store.transaction() as session:
            failures = health.mark_down(session, name, role, error, now)
            opened = open_item(session, item, now=now)
    except StoreConflictError:  # another daemon recorded the same failure a moment ago
        failures, opened = 0, None
    log.error("connector_failed", connector=name, role=role, error=error, failures=failures)
    if opened is not None:
        summary.add("queued")
        log.info("review_item_opened", item_id=opened, reason=item.reason, connector=name)


def connector_ok(store: Store, name: str, clock: Clock, *, role: str) -> None:
    """Mark the connector up; if it was down, say so and close its connector_down items."""
    now = clock()
    try:
        recovered, closed = _mark_up(store, name, role, now)
    except StoreConflictError:  # another daemon created the connector's row just now: update it
        recovered, closed = _mark_up(store, name, role, now)
    if recovered:
        log.info("connector_recovered", connector=name, role=role, items_closed=closed)


def _mark_up(store: Store, name: str, role: str, now: datetime) -> tuple[bool, list[int]]:
    with store.transaction() as session:
        recovered = health.mark_up(session, name, role, now)
        closed = close_connector_items(session, name, now=now) if recovered else []
    return recovered, closed
