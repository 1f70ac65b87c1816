"""The live bench's records: the ERP stand-in and the bank file are built from the same seed.

Invoice i belongs to customer i % 50, is open for 100.00 + i cents-free amount, and
bank line i pays it exactly, naming the customer and the invoice number.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from arbridge.domain.records import Customer, Invoice

CUSTOMERS = 50
BANK_HEADER = "Date,Description,Amount,Transaction ID\n"


def _amount(i: int) -> Decimal:
    return Decimal("100.00") + Decimal(i) + Decimal(i % 97) / 100


def records(n: int) -> tuple[list[Customer], list[Invoice]]:
    """The stand-in's customers and `n` open invoices."""
    customers = [
        Customer(customer_id=f"C{c:03d}", name=f"Customer {c} Industries") for c in range(CUSTOMERS)
    ]
    invoices = [
        Invoice(
            invoice_id=f"INV-{i:06d}",
            customer_id=f"C{i % CUSTOMERS:03d}",
            invoice_date=date(2026, 10, 1) + timedelta(days=i % 20),
            due_date=date(2026, 10, 31) + timedelta(days=i % 20),
            amount=_amount(i),
            open_amount=_amount(i),
        )
        for i in range(n)
    ]
    return customers, invoices


def write_bank(path: Path, n: int) -> None:
    """A bank CSV (the contract's acceptance layout) with one payment per invoice."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write(BANK_HEADER)
        for i in range(n):
            name = f"CUSTOMER {i % CUSTOMERS} INDUSTRIES"
            fh.write(f"11/02/2026,{name} PAYMENT INV-{i:06d},{_amount(i)},BT{i:08d}\n")
