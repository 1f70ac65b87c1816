"""What the receivables reports read: open invoices after arbridge's postings, period facts.

The ERP snapshot holds open amounts as the ERP last reported them. Applications that
arbridge delivered after that snapshot was taken are not in it yet, so they are taken
off here (and a reversal delivered since puts its amount back). Once a later pull shows
them, the snapshot's time moves past their delivery and they are no longer netted:
a payment is never counted twice. Applications still waiting in the outbox are not
posted yet and stay out of these figures (they are cash in flight).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, String, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from arbridge.domain.records import ZERO
from arbridge.receivables import OpenItem
from arbridge.store import erp as erp_store
from arbridge.store._core import table_of
from arbridge.store.tables import (
    ApplicationRow,
    InvoiceRow,
    OutboxRow,
    SyncCursorRow,
)

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class OpenBook:
    """The open items of one ERP and the customers' names, as of `taken_at` plus postings."""

    names: dict[str, str]
    items: list[OpenItem]
    taken_at: datetime


def snapshot_time(session: Session, erp: str) -> datetime | None:
    """When the stored ERP snapshot last changed; None before the first pull."""
    cursor = session.get(SyncCursorRow, (erp, "snapshot"))
    return None if cursor is None else cursor.updated_at


def open_book(
    session: Session, erp: str, *, customers: Collection[str] | None = None
) -> OpenBook | None:
    """Every invoice with money open, net of postings the snapshot does not show yet.

    With `customers`, only theirs (for a whole large book, see `ar_sums`).
    """
    taken_at = snapshot_time(session, erp)
    if taken_at is None:
        return None
    unreflected = posted_since(session, erp, taken_at)
    invoices = table_of(InvoiceRow)
    columns = (  # raw driver values (dates as text on SQLite): converted below, with caches
        invoices.c.invoice_id,
        invoices.c.customer_id,
        type_coerce(invoices.c.invoice_date, String),
        type_coerce(invoices.c.due_date, String),
        type_coerce(invoices.c.open_amount, BigInteger),
    )
    query = sa_select(*columns).where(invoices.c.erp == erp, invoices.c.open_amount != ZERO)
    if customers is None:
        items = _items(session.connection().execute(query))  # streamed: no list of rows held
    else:
        wanted = sorted(customers)
        items = []
        for start in range(0, len(wanted), _CHUNK):
            some = query.where(invoices.c.customer_id.in_(wanted[start : start + _CHUNK]))
            items += _items(session.connection().execute(some))
    reopened = [i for i, v in unreflected.items() if v < 0]
    if reopened:  # a reversal since the snapshot may reopen an invoice it shows as paid
        seen = {item.invoice_id for item in items}
        missing = [i for i in reopened if i not in seen]
        for start in range(0, len(missing), _CHUNK):
            ids = missing[start : start + _CHUNK]
            query = sa_select(*columns).where(invoices.c.erp == erp, invoices.c.invoice_id.in_(ids))
            items += _items(session.connection().execute(query))
    if customers is not None:
        items = [i for i in items if i.customer_id in customers]
    if unreflected:
        items = [_net(item, unreflected) for item in items]
    return OpenBook(names=erp_store.customer_names(session, erp), items=items, taken_at=taken_at)


def _items(rows: Iterable[Any]) -> list[OpenItem]:
    """Open items from raw (id, customer, invoice date, due date, scaled amount) rows."""
    days: dict[object, date] = {}  # few distinct dates: each parsed once
    items = []
    for invoice_id, customer_id, issued, due, raw in rows:
        on = days.get(issued)
        if on is None:
            on = days[issued] = day_of(issued)
        until = days.get(due)
        if until is None:
            until = days[due] = day_of(due)
        items.append(OpenItem(invoice_id, customer_id, on, until, Decimal(raw).scaleb(-4)))
    return items  # Money is stored in ten-thousandths (store._types.Money)


def day_of(value: object) -> date:
    """A date as the driver returns it: a date, or ISO text on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _net(item: OpenItem, unreflected: dict[str, Decimal]) -> OpenItem:
    taken = unreflected.get(item.invoice_id)
    if taken is None:
        return item
    return item._replace(open_amount=max(item.open_amount - taken, ZERO))


def posted_since(session: Session, erp: str, since: datetime) -> dict[str, Decimal]:
    """What applications delivered after `since` took off each invoice (reversals negative)."""
    query = (
        select(ApplicationRow.allocations, ApplicationRow.reverses_id)
        .join(OutboxRow, col(OutboxRow.application_id) == col(ApplicationRow.id))
        .where(OutboxRow.erp == erp, OutboxRow.status == "sent", col(OutboxRow.sent_at) > since)
    )
    return by_invoice(session.exec(query).all())


def unposted(session: Session, erp: str) -> dict[str, Decimal]:
    """What applications still in the outbox will take off each invoice (cash in flight)."""
    query = (
        select(ApplicationRow.allocations, ApplicationRow.reverses_id)
        .join(OutboxRow, col(OutboxRow.application_id) == col(ApplicationRow.id))
        .where(OutboxRow.erp == erp, OutboxRow.status == "pending")
    )
    return by_invoice(session.exec(query).all())


def by_invoice(rows: Iterable[tuple[Sequence[Any], int | None]]) -> dict[str, Decimal]:
    """What (allocations, reverses id) rows take off each invoice (reversals negative)."""
    taken: dict[str, Decimal] = {}
    for allocations, reverses_id in rows:
        sign = -1 if reverses_id is not None else 1
        for a in allocations:
            if a["invoice_id"]:
                closing = Decimal(a["amount"]) + Decimal(a["adjustment"])
                taken[a["invoice_id"]] = taken.get(a["invoice_id"], ZERO) + sign * closing
    return taken
