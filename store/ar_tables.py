"""Tables of the receivables features: daily KPI snapshots and guardrail states."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
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


class ArCustomerRow(SQLModel, table=True):
    """Collections facts of a customer the ERP does not keep: contact, collector, next step."""

    __tablename__ = "ar_customer"

    erp: str = Field(primary_key=True, max_length=100)
    customer_id: str = Field(primary_key=True, max_length=100)
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=300)
    contact_phone: str | None = Field(default=None, max_length=60)
    language: str | None = Field(default=None, max_length=10)
    collector: str | None = Field(default=None, max_length=100)
    next_action_on: date | None = None
    opted_out: bool = False
    updated_at: datetime = _when()
    updated_by: str = Field(max_length=100)


class ArNoteRow(SQLModel, table=True):
    """One collection effort or remark on a customer: who, when, what."""

    __tablename__ = "ar_note"
    __table_args__ = (Index("ix_ar_note_customer", "erp", "customer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    erp: str = Field(max_length=100)
    customer_id: str = Field(max_length=100)
    at: datetime = _when()
    actor: str = Field(max_length=100)
    kind: str = Field(max_length=20)  # note | call | email | letter | meeting | promise | dispute
    text: str = Field(sa_type=Text)


class ArPromiseRow(SQLModel, table=True):
    """A promise to pay, or one instalment of a payment plan (rows sharing `plan`)."""

    __tablename__ = "ar_promise"
    __table_args__ = (Index("ix_ar_promise_customer", "erp", "customer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    erp: str = Field(max_length=100)
    customer_id: str = Field(max_length=100)
    plan: str | None = Field(default=None, max_length=60)
    made_on: date
    due_on: date
    amount: Decimal = _money()
    status: str = Field(max_length=20)  # open | kept | broken | cancelled
    actor: str = Field(max_length=100)
    created_at: datetime = _when()
    settled_at: datetime | None = _when(nullable=True)


class ArDisputeRow(SQLModel, table=True):
    """An invoice the customer disputes: not dunned while open."""

    __tablename__ = "ar_dispute"

    erp: str = Field(primary_key=True, max_length=100)
    invoice_id: str = Field(primary_key=True, max_length=100)
    customer_id: str = Field(max_length=100)
    reason: str = Field(sa_type=Text)
    opened_at: datetime = _when()
    opened_by: str = Field(max_length=100)
    closed_at: datetime | None = _when(nullable=True)


class ArEmailRow(SQLModel, table=True):
    """An email sent to a customer (a statement or a dunning notice): sent once per key."""

    __tablename__ = "ar_email"
    __table_args__ = (
        UniqueConstraint("erp", "key", name="uq_ar_email_key"),
        Index("ix_ar_email_customer", "erp", "customer_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    erp: str = Field(max_length=100)
    customer_id: str = Field(max_length=100)
    kind: str = Field(max_length=20)  # statement | dunning
    key: str = Field(max_length=300)
    recipient: str = Field(max_length=300)
    subject: str = Field(max_length=500)
    message_id: str = Field(max_length=300)
    sent_at: datetime = _when()
