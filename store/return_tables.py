"""The table of returned payments (NSF, returned items): which applied cash came back."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from arbridge.store._types import AwareDateTime


class PaymentReturnRow(SQLModel, table=True):
    """A bank debit that returned an applied payment: its commission is clawed back.

    `bank_line_id` is the returned-item debit, `application_id` the application of the
    payment it returned; `booked_on` is the debit's day (the clawback's own day).
    """

    __tablename__ = "payment_return"

    id: int | None = Field(default=None, primary_key=True)
    erp: str = Field(max_length=100)
    bank_line_id: int = Field(foreign_key="bank_line.id", unique=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    booked_on: date
    created_at: datetime = Field(sa_type=AwareDateTime, nullable=False)
