"""Deposits and retainage held per order, from the invoice register."""

from __future__ import annotations

from datetime import date

from arbridge.deposits import HeldLine, held
from arbridge.store import Store
from arbridge.store import commissions as register


def held_on(store: Store, erp: str, as_of: date, wait_days: int) -> list[HeldLine]:
    """What is held on `as_of`; deposits waiting longer than `wait_days` are `overdue`."""
    with store.transaction() as session:
        invoices = register.orders_and_retainage(session, erp)
    return held(invoices, as_of, wait_days)
