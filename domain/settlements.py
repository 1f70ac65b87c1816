"""Processor payouts (Stripe, PayPal...) and the balance transactions they settle.

A card processor never pays an invoice into the bank by itself: it pays out a day's
charges as one net deposit, after fees, refunds and disputes. A `Payout` is that deposit
as the processor reports it; its `items` are the balance transactions it settles.
Money is Decimal in major units (dollars), signed as the processor signs it: a charge is
positive, a refund or dispute negative; `fee` is what the processor kept (positive).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from arbridge.domain.records import ZERO


class SettlementCategory(StrEnum):
    """What a balance transaction is, in the processor's reporting categories."""

    CHARGE = "charge"
    REFUND = "refund"
    DISPUTE = "dispute"
    ADJUSTMENT = "adjustment"
    FEE = "fee"
    OTHER = "other"

    @classmethod
    def of(cls, text: str) -> SettlementCategory:
        """The category of a processor's own word (`charge`, `refund_failure`, `dispute_reversal`...)."""
        word = text.strip().lower()
        for category in (cls.CHARGE, cls.REFUND, cls.DISPUTE, cls.FEE):
            if word == category.value or word.startswith(f"{category.value}_"):
                return category
        if word in {"payment", "sale"}:
            return cls.CHARGE
        if "adjust" in word:
            return cls.ADJUSTMENT
        return cls.OTHER


@dataclass(frozen=True, slots=True, kw_only=True)
class SettlementItem:
    """One balance transaction of a payout: a charge, refund, dispute, fee or adjustment."""

    item_id: str
    category: SettlementCategory
    gross: Decimal
    fee: Decimal
    net: Decimal
    currency: str
    reference: str = ""
    description: str = ""
    customer_name: str = ""
    customer_email: str = ""
    charge_id: str = ""
    source_line: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Payout:
    """One processor payout: the net deposit the bank should receive, and what it settles."""

    processor: str
    payout_id: str
    effective_on: date
    currency: str
    items: tuple[SettlementItem, ...]
    trace_id: str = ""
    source_file: str | None = None

    @property
    def net(self) -> Decimal:
        """What the bank receives: the sum of the items' nets."""
        return sum((i.net for i in self.items), ZERO)
