"""Tables of processor settlements: report batches read, payouts, and their transactions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from arbridge.store._types import AwareDateTime, Money


def _money() -> Any:
    return Field(sa_type=Money, nullable=False)


class SettlementBatchRow(SQLModel, table=True):
    """A batch a settlement source delivered (a report file, an API page): read once, by fingerprint."""

    __tablename__ = "settlement_batch"
    __table_args__ = (
        UniqueConstraint("source", "fingerprint", name="uq_settlement_batch_source_fingerprint"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=100)
    fingerprint: str = Field(max_length=200)
    label: str = Field(sa_type=Text)
    status: str = Field(max_length=20)  # read | quarantined
    error: str | None = Field(default=None, sa_type=Text)
    payout_count: int = 0
    received_at: datetime = Field(sa_type=AwareDateTime, nullable=False)


class PayoutRow(SQLModel, table=True):
    """A processor payout: in transit until its bank deposit is found, then deposited."""

    __tablename__ = "payout"
    __table_args__ = (
        UniqueConstraint("processor", "payout_id", name="uq_payout_processor_payout_id"),
        Index("ix_payout_status", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    processor: str = Field(max_length=50)
    payout_id: str = Field(max_length=200)
    effective_on: date
    currency: str = Field(max_length=3)
    net: Decimal = _money()
    trace_id: str | None = Field(default=None, max_length=200)
    source_file: str | None = Field(default=None, sa_type=Text)
    status: str = Field(max_length=20)  # in_transit | deposited
    bank_line_id: int | None = Field(default=None, foreign_key="bank_line.id")
    received_at: datetime = Field(sa_type=AwareDateTime, nullable=False)
    deposited_at: datetime | None = Field(default=None, sa_type=AwareDateTime, nullable=True)


class SettlementItemRow(SQLModel, table=True):
    """A balance transaction of a payout: a charge, refund, dispute, fee or adjustment."""

    __tablename__ = "settlement_item"
    __table_args__ = (
        UniqueConstraint("processor", "item_id", name="uq_settlement_item_processor_item_id"),
        Index("ix_settlement_item_payout", "payout_row_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    payout_row_id: int = Field(foreign_key="payout.id")
    processor: str = Field(max_length=50)
    item_id: str = Field(max_length=200)
    category: str = Field(max_length=20)
    gross: Decimal = _money()
    fee: Decimal = _money()
    net: Decimal = _money()
    currency: str = Field(max_length=3)
    reference: str = Field(default="", max_length=300)
    description: str = Field(default="", sa_type=Text)
    customer_name: str = Field(default="", max_length=300)
    customer_email: str = Field(default="", max_length=300)
    charge_id: str = Field(default="", max_length=200)
    source_line: int | None = None
