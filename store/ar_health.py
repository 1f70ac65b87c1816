"""Repository of the receivables health: one KPI snapshot per day, and guardrail states."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from arbridge.receivables.guardrails import Check
from arbridge.store.ar_tables import ArGuardrailRow, ArKpiDayRow


def save_day(session: Session, erp: str, day: date, values: Mapping[str, Any]) -> None:
    """Store (or replace) the KPIs of `day`: the columns of `ar_kpi_day` as a mapping."""
    session.merge(ArKpiDayRow(erp=erp, day=day, **values))


def days(session: Session, erp: str, since: date | None = None) -> list[ArKpiDayRow]:
    """The stored days, oldest first."""
    query = select(ArKpiDayRow).where(ArKpiDayRow.erp == erp)
    if since is not None:
        query = query.where(col(ArKpiDayRow.day) >= since)
    return list(session.exec(query.order_by(col(ArKpiDayRow.day))))


def last_taken(session: Session, erp: str, day: date) -> datetime | None:
    """When the KPIs of `day` were last stored; None when not yet that day."""
    row = session.get(ArKpiDayRow, (erp, day))
    return None if row is None else row.taken_at


def open_total_on(session: Session, erp: str, day: date) -> Decimal | None:
    """The open total stored for exactly `day`; None when no cycle ran that day."""
    row = session.get(ArKpiDayRow, (erp, day))
    return None if row is None else row.open_total


def record_checks(
    session: Session, erp: str, checks: list[Check], now: datetime
) -> list[ArGuardrailRow]:
    """Store the guardrails' states; returns the breaches nobody has been told of yet.

    A breach starts when a KPI first goes past its target and ends when it comes back;
    its `since` is when it started, so a breach lasting many cycles is one breach.
    """
    untold: list[ArGuardrailRow] = []
    for check in checks:
        row = session.get(ArGuardrailRow, (erp, check.kpi))
        if row is None:
            row = ArGuardrailRow(erp=erp, kpi=check.kpi, value=check.value, target=check.target)
        starts = check.breached and not row.breached
        if starts:
            row.since, row.notified_at = now, None
        elif not check.breached:
            row.since, row.notified_at = None, None
        row.breached, row.value, row.target, row.checked_at = (
            check.breached,
            check.value,
            check.target,
            now,
        )
        session.add(row)
        if row.breached and row.notified_at is None:
            untold.append(row)
    return untold


def mark_notified(session: Session, erp: str, kpi: str, now: datetime) -> None:
    """Someone was told of this breach: it will not be told again until it ends and recurs."""
    row = session.get(ArGuardrailRow, (erp, kpi))
    if row is not None:
        row.notified_at = now
        session.add(row)


def guardrails(session: Session, erp: str | None = None) -> list[ArGuardrailRow]:
    """Every stored guardrail state (of one ERP if given), by KPI."""
    query = select(ArGuardrailRow)
    if erp is not None:
        query = query.where(ArGuardrailRow.erp == erp)
    return list(session.exec(query.order_by(col(ArGuardrailRow.kpi))))
