"""Records of deposits held for an order's final invoice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldCash:
    """A bank line held as a deposit for an order (an open `deposit_received` item)."""

    item_id: int
    customer_id: str
    order_ref: str
    amount: Decimal
    bank_id: str
    booked_on: date
    candidates: tuple[str, ...] = ()
    """Final invoices a person was asked to choose between (empty while none fits)."""
