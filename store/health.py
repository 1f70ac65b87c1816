"""Repository of connector health: up or down, since when, and why."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from arbridge.store.tables import ConnectorHealthRow


def mark_up(session: Session, name: str, role: str, now: datetime) -> bool:
    """Record a success; True when the connector was down until now (it recovered)."""
    row = session.get(ConnectorHealthRow, name)
    recovered = row is not None and row.status == "down"
    if row is None:
        row = ConnectorHealthRow(name=name, role=role, status="up")
    row.status, row.last_success_at, row.consecutive_failures = "up", now, 0
    session.add(row)
    return recovered


def mark_down(session: Session, name: str, role: str, error: str, now: datetime) -> int:
    """Record a failure; returns how many in a row there have been."""
    row = session.get(ConnectorHealthRow, name) or ConnectorHealthRow(
        name=name, role=role, status="down"
    )
    row.status, row.last_failure_at, row.last_error = "down", now, error
    row.consecutive_failures += 1
    session.add(row)
    return row.consecutive_failures


def all_connectors(session: Session) -> list[ConnectorHealthRow]:
    """Every connector seen so far, by name."""
    return list(session.exec(select(ConnectorHealthRow).order_by(col(ConnectorHealthRow.name))))


def last_attempt(session: Session, name: str) -> datetime | None:
    """When the connector was last tried (success or failure), if ever."""
    row = session.get(ConnectorHealthRow, name)
    if row is None:
        return None
    times = [t for t in (row.last_success_at, row.last_failure_at) if t is not None]
    return max(times) if times else None
