"""Tables of the receivables features: daily KPI snapshots and guardrail states."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from arbridge.store._types import AwareDateTime, Money


def _money(*, nullable: bool = False) -> Any:
    return Field(sa_type=Money, nullable=nullable)


def _when(*, nullable: bool = False) -> Any:
    return Field(sa_type=AwareDateTime, nullable=nullable)


class ArKpiDayRow(SQLModel, table=True):
    """The receivables KPIs of one day (the last cycle of that day wins), for trends."""

    __tablename__ = "ar_kpi_day"

    erp: str = Field(primary_key=True, max_length=100)
    day: date = Field(primary_key=True)
    open_total: Decimal = _money()
    past_due_total: Decimal = _money()
    past_due_over_20_days_total: Decimal = _money()
    invoices_open: int = 0
    invoices_over_90_days: int = 0
    buckets: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """Aging totals by bucket label (money as strings)."""
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """The period KPIs (dso, cei, ...) as printed by `ar kpis --format json`."""
    taken_at: datetime = _when()


class ArGuardrailRow(SQLModel, table=True):
    """Whether one KPI is past its target, since when, and whether anyone was told."""

    __tablename__ = "ar_guardrail"

    erp: str = Field(primary_key=True, max_length=100)
    kpi: str = Field(primary_key=True, max_length=60)
    breached: bool = False
    value: str = Field(max_length=40)
    target: str = Field(max_length=40)
    since: datetime | None = _when(nullable=True)
    notified_at: datetime | None = _when(nullable=True)
    checked_at: datetime = _when()
