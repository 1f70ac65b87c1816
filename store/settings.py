"""Limits an admin changed on the web page: read and written in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from arbridge.store.tables import SettingRow


def get_setting(session: Session, key: str) -> str | None:
    """The stored value, or None when nobody changed it (the YAML's value applies)."""
    row = session.get(SettingRow, key)
    return None if row is None else row.value


def put_setting(session: Session, key: str, value: str, *, by: str, now: datetime) -> str | None:
    """Store a value; returns the one it replaced (None: it was the YAML's)."""
    row = session.get(SettingRow, key)
    before = None if row is None else row.value
    if row is None:
        row = SettingRow(key=key, value=value, updated_by=by, updated_at=now)
    else:
        row.value, row.updated_by, row.updated_at = value, by, now
    session.add(row)
    return before
