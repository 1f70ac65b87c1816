"""Close the review items of lines a person has since recorded in the ERP (nothing left to ask)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlmodel import Session, col, select

from arbridge.domain.review import ReviewStatus
from arbridge.review.queue import SYSTEM_ACTOR
from arbridge.store import reviews
from arbridge.store.tables import ReviewItemRow

_ACTIVE = (ReviewStatus.OPEN.value, ReviewStatus.ASSIGNED.value)


def resolve_recorded(session: Session, comments: Mapping[int, str], *, now: datetime) -> int:
    """Resolve the open items of these lines (line id -> why) in the caller's transaction.

    Returns:
        How many items were resolved.
    """
    if not comments:
        return 0
    query = select(ReviewItemRow).where(
        col(ReviewItemRow.bank_line_id).in_(list(comments)), col(ReviewItemRow.status).in_(_ACTIVE)
    )
    rows = list(session.exec(query))
    for row in rows:
        assert row.id is not None
        assert row.bank_line_id is not None
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
            comment=comments[row.bank_line_id],
        )
    return len(rows)
