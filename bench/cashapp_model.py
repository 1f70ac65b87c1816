"""The records of the synthetic cash-application dataset: invoices and bank lines with their truth."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass
class Inv:
    invoice_id: str
    customer: int
    issued: date
    amount: Decimal
    open: Decimal
    terms: str


@dataclass
class Line:
    day: date
    text: tuple[str, str]  # payer as the bank writes it, remittance text
    amount: Decimal
    case: str
    apply: bool
    alloc: list[tuple[str, Decimal, Decimal, str]] = field(default_factory=list)
    customer: int = -1


def full(inv: Inv) -> tuple[str, Decimal, Decimal, str]:
    return (inv.invoice_id, inv.open, Decimal(0), "")
