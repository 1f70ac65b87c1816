"""A customer's recent payments for the customer page: this customer's part of each, only.

One bank line can pay several customers' invoices in one application: a card processor's
payout, or a clerk's split. The application is filed under one head customer, but each
allocation names its own customer. The page lists a payment on the page of every customer
it paid, shows only that customer's invoices and amount, and says when it was shared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import Text, cast, or_
from sqlmodel import Session, col, select

from arbridge.domain.records import Allocation
from arbridge.store.postings import allocation_from_json
from arbridge.store.settlement_tables import PayoutRow
from arbridge.store.tables import ApplicationRow, BankLineRow


@dataclass(frozen=True, slots=True)
class CustomerPayment:
    """One payment as a customer's page shows it."""

    line: BankLineRow
    application: ApplicationRow
    allocations: list[Allocation]
    """This customer's allocations only."""
    amount: Decimal
    """This customer's part of the payment (the whole payment when it is not shared)."""
    shared_with: int
    """How many other customers the same payment paid (0: not shared)."""
    kind: str = "payment"
    """`payout` when the bank line is a card processor's payout, else `payment`."""


def customer_payments(
    session: Session, erp: str, customer_id: str, limit: int = 50
) -> list[CustomerPayment]:
    """The latest payments that paid this customer (head or any allocation), newest first."""
    # A cheap filter in SQL (the JSON text names the id), the exact test in `_part`.
    named = cast(col(ApplicationRow.allocations), Text).contains(
        json.dumps(customer_id), autoescape=True
    )
    query = (
        select(ApplicationRow, BankLineRow)
        .join(BankLineRow, col(BankLineRow.id) == col(ApplicationRow.bank_line_id))
        .where(ApplicationRow.erp == erp)
        .where(or_(col(ApplicationRow.customer_id) == customer_id, named))
        .order_by(col(ApplicationRow.id).desc())
    )
    found: list[CustomerPayment] = []
    for application, line in session.exec(query):
        part = _part(application, line, customer_id)
        if part is not None:
            found.append(part)
            if len(found) >= limit:
                break
    return _name_payouts(session, found)


def _name_payouts(session: Session, found: list[CustomerPayment]) -> list[CustomerPayment]:
    """Mark the shared payments whose bank line is a processor's payout."""
    shared = {p.line.id for p in found if p.shared_with}
    if not shared:
        return found
    payouts = set(
        session.exec(select(PayoutRow.bank_line_id).where(col(PayoutRow.bank_line_id).in_(shared)))
    )
    return [replace(p, kind="payout") if p.line.id in payouts else p for p in found]


def _part(application: ApplicationRow, line: BankLineRow, customer: str) -> CustomerPayment | None:
    """This customer's part of the application; None when it paid nothing of this customer's."""
    every = [allocation_from_json(x) for x in application.allocations]
    own = [a for a in every if a.customer_id == customer]
    if not own and application.customer_id != customer:
        return None
    others = {a.customer_id for a in every} - {customer}
    amount = sum((a.amount for a in own), Decimal("0.00")) if others else application.amount
    return CustomerPayment(line, application, own, amount, len(others))
