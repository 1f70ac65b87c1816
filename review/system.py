"""Changes the daemon itself makes to the queue (never a person's decision)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from arbridge.domain.review import ReviewReason, ReviewStatus
from arbridge.review.queue import SYSTEM_ACTOR
from arbridge.store import reviews
from arbridge.store.tables import ReviewItemRow


def close_connector_items(session: Session, connector: str, *, now: datetime) -> list[int]:
    """Resolve the open `connector_down` items of a connector that works again.

    Returns:
        The ids of the items resolved.
    """
    query = select(ReviewItemRow).where(
        ReviewItemRow.reason == ReviewReason.CONNECTOR_DOWN.value,
        col(ReviewItemRow.status).in_([ReviewStatus.OPEN.value, ReviewStatus.ASSIGNED.value]),
        col(ReviewItemRow.dedupe_key).startswith(f"connector:{connector}:"),
    )
    closed: list[int] = []
    for row in session.exec(query):
        assert row.id is not None
        before = {"status": row.status, "assignee": row.assignee}
        row.status, row.updated_at = ReviewStatus.RESOLVED.value, now
        session.add(row)
        reviews.add_event(
            session,
            row.id,
            actor=SYSTEM_ACTOR,
            action="resolve",
            now=now,
            before=before,
            after={"status": row.status, "assignee": row.assignee},
            comment=f"connector {connector} works again",
        )
        closed.append(row.id)
    return closed
