"""Payments already recorded in the ERP (by people or other tools), as a connector reads them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from arbridge.domain.records import ZERO


@dataclass(frozen=True, slots=True, kw_only=True)
class PostedAllocation:
    """Part of a recorded payment: applied to one invoice, or (invoice_id None) left on account."""

    invoice_id: str | None
    amount: Decimal

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"amount must be a Decimal, got {type(self.amount).__name__}")


@dataclass(frozen=True, slots=True, kw_only=True)
class PostedPayment:
    """One payment as the ERP records it, with every allocation and what the person typed.

    `payment_id` is the ERP's own key of the payment (the csv `payment_id`, the QuickBooks
    `Id`, ...). `reference` and `memo` are free text (a bank reference, a check number, a
    customer's text, or nothing). `recorded_by` is set when the ERP says who recorded it.
    """

    payment_id: str
    customer_id: str
    paid_on: date
    allocations: tuple[PostedAllocation, ...]
    reference: str = ""
    memo: str = ""
    recorded_by: str | None = None
    updated_at: datetime | None = None

    @property
    def amount(self) -> Decimal:
        """The cash the payment records (every allocation, on account included)."""
        return sum((a.amount for a in self.allocations), ZERO)

    @property
    def invoice_ids(self) -> tuple[str, ...]:
        """The invoices it pays, in order, each once."""
        return tuple(dict.fromkeys(a.invoice_id for a in self.allocations if a.invoice_id))
