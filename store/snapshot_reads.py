"""When the stored ERP snapshot was read from the ERP, so other daemons can reuse it.

A daemon that has just pulled the ERP records the time it began reading and which
stored snapshot that read produced (the snapshot cursor's value and time). Another
daemon sharing the store reuses that snapshot while it is younger than its freshness
limit, instead of reading the ERP again; it nets out what was sent since the read,
as it does for any earlier snapshot. A snapshot saved after the record (by a daemon
that has not recorded its read yet) does not match it and is not reused.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlmodel import Session

from arbridge.store import cursors
from arbridge.store.tables import SyncCursorRow

STREAM = "snapshot_read"
"""The sync cursor stream holding the record (beside the snapshot's own `snapshot`)."""


def _saved(session: Session, erp: str) -> tuple[str, str] | None:
    row = session.get(SyncCursorRow, (erp, "snapshot"))
    if row is None:
        return None
    return row.value, row.updated_at.isoformat()


def record_read(session: Session, erp: str, *, read_at: datetime, now: datetime) -> None:
    """Record that the stored snapshot is the ERP as read from `read_at` on."""
    saved = _saved(session, erp)
    if saved is None:
        return
    value = json.dumps({"read_at": read_at.isoformat(), "value": saved[0], "saved": saved[1]})
    cursors.save_cursor(session, erp, STREAM, value, now)


def fresh_read(session: Session, erp: str, *, now: datetime, max_age: timedelta) -> datetime | None:
    """When the stored snapshot was read, if that is at most `max_age` ago; else None."""
    record = cursors.load_cursor(session, erp, STREAM)
    saved = _saved(session, erp)
    if record is None or saved is None:
        return None
    try:
        read = json.loads(record)
        read_at = datetime.fromisoformat(read["read_at"])
    except (ValueError, KeyError, TypeError):
        return None
    if (read.get("value"), read.get("saved")) != saved or read_at.tzinfo is None:
        return None
    if not timedelta(0) <= now - read_at <= max_age:
        return None
    return read_at
