"""Cash a customer has sent that collections must know of: arrived, in flight, and how late."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session

from arbridge.domain.records import ZERO
from arbridge.domain.review import ReviewReason
from arbridge.receivables.promises import Receipt
from arbridge.store._core import table_of
from arbridge.store.tables import (
    ApplicationRow,
    BankLineRow,
    InvoiceRow,
    OutboxRow,
    ReviewItemRow,
)

_NOT_CUSTOMER_CASH = (
    "non_ar_credit",
    "suspected_misapplication",  # the ERP already has it: its figures show it
    "tax_certificate",
    "quarantined_file",
    "connector_down",
)
_CHUNK = 500


def _applications(session: Session, erp: str, *statuses: str) -> Iterator[Any]:
    app, outbox, line = table_of(ApplicationRow), table_of(OutboxRow), table_of(BankLineRow)
    query = (
        sa_select(app.c.allocations, app.c.reverses_id, line.c.booked_on)
        .join_from(app, outbox, outbox.c.application_id == app.c.id)
        .join(line, line.c.id == app.c.bank_line_id)
        .where(app.c.erp == erp, outbox.c.status.in_(statuses))
    )
    yield from session.connection().execute(query)


_HELD_DEPOSITS = (
    ReviewReason.DEPOSIT_RECEIVED.value,
    ReviewReason.DEPOSIT_FINAL_CHOICE.value,
)


def _review_cash(
    session: Session, skip: tuple[str, ...] = ()
) -> Iterator[tuple[str, date, Decimal]]:
    """(customer, booked on, amount) of open review items that are a known customer's cash.

    `skip`: further reasons to leave out.
    """
    item, line = table_of(ReviewItemRow), table_of(BankLineRow)
    query = (
        sa_select(item.c.customer_id, item.c.suggestions, line.c.booked_on, line.c.amount)
        .join_from(item, line, line.c.id == item.c.bank_line_id)
        .where(
            item.c.status.in_(["open", "assigned"]),
            item.c.reason.not_in((*_NOT_CUSTOMER_CASH, *skip)),
        )
    )
    for customer_id, suggestions, booked_on, amount in session.connection().execute(query):
        named = {s.get("customer_id") for s in suggestions if s.get("customer_id")}
        customer = customer_id or (named.pop() if len(named) == 1 else None)
        if customer and amount > 0:
            yield customer, booked_on, amount


def receipts(session: Session, erp: str, since: date) -> list[Receipt]:
    """Cash from each customer booked on or after `since`: applied, waiting, or in review."""
    out = [Receipt(c, d, a) for c, d, a in _review_cash(session) if d >= since]
    for row in _applications(session, erp, "sent", "pending"):
        if row.booked_on < since:
            continue
        sign = -1 if row.reverses_id is not None else 1
        for a in row.allocations:
            out.append(Receipt(a["customer_id"], row.booked_on, sign * Decimal(a["amount"])))
    return out


def in_flight(session: Session, erp: str) -> dict[str, Decimal]:
    """Per customer: cash arrived that the ERP's figures do not show yet.

    Applications still in the outbox, and bank lines in review that are the customer's
    (named by the item, or by all of its suggestions). A deposit held for an order's final
    invoice is not: it pays no invoice that is due now.
    """
    out: dict[str, Decimal] = {}
    for customer, _, amount in _review_cash(session, skip=_HELD_DEPOSITS):
        out[customer] = out.get(customer, ZERO) + amount
    for row in _applications(session, erp, "pending"):
        if row.reverses_id is None:
            for a in row.allocations:
                value = Decimal(a["amount"]) + Decimal(a["adjustment"])
                out[a["customer_id"]] = out.get(a["customer_id"], ZERO) + value
    return out


def average_days_late(session: Session, erp: str) -> dict[str, Decimal]:
    """Per customer: how many days after the due date its applied cash arrived, on average.

    Weighted by amount, over the invoices arbridge applied cash to whose due date is known.
    """
    paid: list[tuple[str, str, date, Decimal]] = []
    for row in _applications(session, erp, "sent"):
        if row.reverses_id is None:
            paid += [
                (a["customer_id"], a["invoice_id"], row.booked_on, Decimal(a["amount"]))
                for a in row.allocations
                if a["invoice_id"]
            ]
    due = _due_dates(session, erp, sorted({p[1] for p in paid}))
    weighted: dict[str, tuple[Decimal, Decimal]] = {}
    for customer, invoice, booked_on, amount in paid:
        if invoice in due and amount > 0:
            days, total = weighted.get(customer, (ZERO, ZERO))
            late = Decimal((booked_on - due[invoice]).days)
            weighted[customer] = (days + late * amount, total + amount)
    return {c: (d / t).quantize(Decimal("0.1")) for c, (d, t) in weighted.items()}


def _due_dates(session: Session, erp: str, ids: list[str]) -> dict[str, date]:
    found: dict[str, date] = {}
    for start in range(0, len(ids), _CHUNK):
        invoice = table_of(InvoiceRow)
        query = sa_select(invoice.c.invoice_id, invoice.c.due_date).where(
            invoice.c.erp == erp, invoice.c.invoice_id.in_(ids[start : start + _CHUNK])
        )
        found.update((i, d) for i, d in session.connection().execute(query))
    return found
