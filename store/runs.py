"""Repository of daemon runs (cycles) and their summaries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from arbridge.store.tables import RunRow


def start_run(session: Session, run_id: str, now: datetime) -> None:
    """Record that a cycle started."""
    session.add(RunRow(id=run_id, started_at=now, status="running"))


def finish_run(
    session: Session,
    run_id: str,
    *,
    status: str,
    counts: Mapping[str, int],
    errors: Sequence[str],
    now: datetime,
    seconds: Mapping[str, float] | None = None,
) -> None:
    """Record how a cycle ended (and, when given, the seconds each phase took)."""
    row = session.get_one(RunRow, run_id)
    row.status, row.finished_at, row.counts, row.errors = status, now, dict(counts), list(errors)
    row.seconds = dict(seconds) if seconds is not None else None
    session.add(row)


def recent_runs(session: Session, limit: int = 20) -> list[RunRow]:
    """The latest cycles, newest first."""
    return list(session.exec(select(RunRow).order_by(col(RunRow.started_at).desc()).limit(limit)))
