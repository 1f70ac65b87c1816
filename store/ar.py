"""What the receivables reports read: open invoices after arbridge's postings, period facts.

The ERP snapshot holds open amounts as the ERP last reported them. Applications that
arbridge delivered after that snapshot was taken are not in it yet, so they are taken
off here (and a reversal delivered since puts its amount back). Once a later pull shows
them, the snapshot's time moves past their delivery and they are no longer netted:
a payment is never counted twice. Applications still waiting in the outbox are not
posted yet and stay out of these figures (they are cash in flight).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, String, func, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from arbridge.domain.records import ZERO
from arbridge.receivables import OpenItem, PeriodFacts
from arbridge.store import ar_health
from arbridge.store._core import table_of
from arbridge.store.tables import (
    ApplicationRow,
    BankLineRow,
    CustomerRow,
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


def open_book(session: Session, erp: str) -> OpenBook | None:
    """Every invoice with money open, net of postings the snapshot does not show yet."""
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
    items = _items(session.connection().execute(query))  # streamed: no list of rows held
    reopened = [i for i, v in unreflected.items() if v < 0]
    if reopened:  # a reversal since the snapshot may reopen an invoice it shows as paid
        seen = {item.invoice_id for item in items}
        missing = [i for i in reopened if i not in seen]
        for start in range(0, len(missing), _CHUNK):
            chunk = missing[start : start + _CHUNK]
            query = sa_select(*columns).where(
                invoices.c.erp == erp, invoices.c.invoice_id.in_(chunk)
            )
            items += _items(session.connection().execute(query))
    if unreflected:
        items = [_net(item, unreflected) for item in items]
    return OpenBook(names=_names(session, erp), items=items, taken_at=taken_at)


def _items(rows: Iterable[Any]) -> list[OpenItem]:
    """Open items from raw (id, customer, invoice date, due date, scaled amount) rows."""
    days: dict[object, date] = {}  # few distinct dates: each parsed once
    items = []
    for invoice_id, customer_id, issued, due, raw in rows:
        on = days.get(issued)
        if on is None:
            on = days[issued] = _day(issued)
        until = days.get(due)
        if until is None:
            until = days[due] = _day(due)
        items.append(OpenItem(invoice_id, customer_id, on, until, Decimal(raw).scaleb(-4)))
    return items  # Money is stored in ten-thousandths (store._types.Money)


def _day(value: object) -> date:
    """A date as the driver returns it: a date, or ISO text on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _net(item: OpenItem, unreflected: dict[str, Decimal]) -> OpenItem:
    taken = unreflected.get(item.invoice_id)
    if taken is None:
        return item
    return item._replace(open_amount=max(item.open_amount - taken, ZERO))


def _names(session: Session, erp: str) -> dict[str, str]:
    query = select(CustomerRow.customer_id, CustomerRow.name).where(CustomerRow.erp == erp)
    return dict(session.exec(query).all())


def posted_since(session: Session, erp: str, since: datetime) -> dict[str, Decimal]:
    """What applications delivered after `since` took off each invoice (reversals negative)."""
    query = (
        select(ApplicationRow.allocations, ApplicationRow.reverses_id)
        .join(OutboxRow, col(OutboxRow.application_id) == col(ApplicationRow.id))
        .where(OutboxRow.erp == erp, OutboxRow.status == "sent", col(OutboxRow.sent_at) > since)
    )
    return _by_invoice(session.exec(query).all())


def unposted(session: Session, erp: str) -> dict[str, Decimal]:
    """What applications still in the outbox will take off each invoice (cash in flight)."""
    query = (
        select(ApplicationRow.allocations, ApplicationRow.reverses_id)
        .join(OutboxRow, col(OutboxRow.application_id) == col(ApplicationRow.id))
        .where(OutboxRow.erp == erp, OutboxRow.status == "pending")
    )
    return _by_invoice(session.exec(query).all())


def _by_invoice(rows: Iterable[tuple[Sequence[Any], int | None]]) -> dict[str, Decimal]:
    taken: dict[str, Decimal] = {}
    for allocations, reverses_id in rows:
        sign = -1 if reverses_id is not None else 1
        for a in allocations:
            if a["invoice_id"]:
                closing = Decimal(a["amount"]) + Decimal(a["adjustment"])
                taken[a["invoice_id"]] = taken.get(a["invoice_id"], ZERO) + sign * closing
    return taken


def credit_sales(session: Session, erp: str, after: date, until: date) -> Decimal:
    """The full amounts of the invoices dated after `after` up to `until` (both ends: see names)."""
    query = select(func.sum(InvoiceRow.amount)).where(
        InvoiceRow.erp == erp, InvoiceRow.invoice_date > after, InvoiceRow.invoice_date <= until
    )
    total = session.exec(query).one()
    return total if total is not None else ZERO


def estimated_open_at(session: Session, erp: str, book: OpenBook, day: date) -> Decimal:
    """Receivables open at the end of `day`, rebuilt from today's open items.

    Invoices dated by then, with what arbridge applied to them from bank lines booked
    after that day added back. Cash applied by others since then is not known here, so
    this may fall short of the true figure.
    """
    total = sum((i.open_amount for i in book.items if i.invoice_date <= day), ZERO)
    line = table_of(BankLineRow)
    app = table_of(ApplicationRow)
    outbox = table_of(OutboxRow)
    query = (
        sa_select(app.c.allocations, app.c.reverses_id)
        .join_from(app, outbox, outbox.c.application_id == app.c.id)
        .join(line, line.c.id == app.c.bank_line_id)
        .where(
            app.c.erp == erp,
            line.c.booked_on > day,
            outbox.c.status == "sent",  # what is still pending is not in today's figures
        )
    )
    later = _by_invoice(
        [(r.allocations, r.reverses_id) for r in session.connection().execute(query)]
    )
    dated = _dated_by(session, erp, list(later), day)
    return total + sum((later[i] for i in dated), ZERO)


def _dated_by(session: Session, erp: str, ids: list[str], day: date) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        query = select(InvoiceRow.invoice_id).where(
            InvoiceRow.erp == erp,
            col(InvoiceRow.invoice_id).in_(chunk),
            InvoiceRow.invoice_date <= day,
        )
        found.update(session.exec(query).all())
    return found


def period_facts(session: Session, erp: str, book: OpenBook, as_of: date, days: int) -> PeriodFacts:
    """Sales of the `days` ending on `as_of`, and what was open when they began.

    The opening figure is the KPI snapshot stored for that day when a cycle ran then,
    else an estimate rebuilt from today's items (`estimated_open_at`).
    """
    start = as_of - timedelta(days=days)
    beginning = ar_health.open_total_on(session, erp, start)
    if beginning is None:
        beginning = estimated_open_at(session, erp, book, start)
    return PeriodFacts(
        start=start, credit_sales=credit_sales(session, erp, start, as_of), beginning_open=beginning
    )
