"""Repository of incremental-sync cursors: where a connector's pull of one stream got to.

Save a cursor in the same transaction as the batch it covers, so a crash in
between re-reads those changes instead of skipping them.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from arbridge.store.tables import SyncCursorRow


def load_cursor(session: Session, connector: str, stream: str) -> str | None:
    """The stored cursor of a stream, or None before the first full pull."""
    row = session.get(SyncCursorRow, (connector, stream))
    return row.value if row is not None else None


def save_cursor(session: Session, connector: str, stream: str, value: str, now: datetime) -> int:
    """Store a stream's new cursor; returns its version (1 for the first, then +1 per save)."""
    row = session.get(SyncCursorRow, (connector, stream))
    if row is None:
        row = SyncCursorRow(
            connector=connector, stream=stream, value=value, version=1, updated_at=now
        )
    else:
        row.value, row.version, row.updated_at = value, row.version + 1, now
    session.add(row)
    return row.version


def reset_cursor(session: Session, connector: str, stream: str) -> None:
    """Forget a stream's cursor: the next pull is a full one."""
    row = session.get(SyncCursorRow, (connector, stream))
    if row is not None:
        session.delete(row)
