"""What the daemon has been doing, read from the store: for `arbridge status`, /healthz, /metrics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from arbridge.store.health import all_connectors
from arbridge.store.reviews import count_by_status
from arbridge.store.runs import recent_runs
from arbridge.store.tables import OutboxRow, RunRow


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectorStatus:
    """One connector's health."""

    name: str
    role: str
    status: str
    last_success_at: datetime | None
    last_error: str | None
    consecutive_failures: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusReport:
    """The daemon's state at a glance."""

    last_run: RunRow | None
    last_ok_run_at: datetime | None
    runs_by_status: dict[str, int]
    connectors: list[ConnectorStatus]
    outbox: dict[str, int]
    oldest_pending_at: datetime | None
    review: dict[str, int]


def status_report(session: Session) -> StatusReport:
    """Read the whole report in one transaction."""
    runs = recent_runs(session, limit=1)
    return StatusReport(
        last_run=runs[0] if runs else None,
        last_ok_run_at=session.exec(
            select(func.max(RunRow.finished_at)).where(col(RunRow.status).in_(["ok", "partial"]))
        ).one(),
        runs_by_status=dict(
            session.exec(select(RunRow.status, func.count()).group_by(col(RunRow.status))).all()
        ),
        connectors=[
            ConnectorStatus(
                name=c.name,
                role=c.role,
                status=c.status,
                last_success_at=c.last_success_at,
                last_error=c.last_error,
                consecutive_failures=c.consecutive_failures,
            )
            for c in all_connectors(session)
        ],
        outbox=dict(
            session.exec(
                select(OutboxRow.status, func.count()).group_by(col(OutboxRow.status))
            ).all()
        ),
        oldest_pending_at=session.exec(
            select(func.min(OutboxRow.created_at)).where(OutboxRow.status == "pending")
        ).one(),
        review=count_by_status(session),
    )
