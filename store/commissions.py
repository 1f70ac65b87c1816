"""What the commission report reads and keeps: cash per invoice, closed periods and their lines.

Cash the ERP holds per invoice comes from the applications and their outbox; the reps come
from the invoice register (`store.register`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session

from arbridge.domain.commissions import CashEvent, CommissionLine
from arbridge.store._core import bulk_insert, table_of
from arbridge.store.register import chunks
from arbridge.store.return_tables import PaymentReturnRow
from arbridge.store.tables import (
    ApplicationRow,
    BankLineRow,
    CommissionLineRow,
    CommissionPeriodRow,
    OutboxRow,
)

_RECORDED = ("erp", "erp_undo")
"""Origins of a payment a person recorded (written down to reverse it) and of its reversal."""


def cash_events(session: Session, erp: str, start: date, end: date) -> list[CashEvent]:
    """Cash the ERP holds (outbox sent) on invoices, that may count between `start` and `end`.

    That is every application or reversal of a bank line booked from `start` to `end`, and
    of one booked earlier but recorded from `start` on (a correction, or a late event of a
    closed period). The caller decides which of them land in the period. Both halves are
    driven by an index (bank_line.booked_on, application.created_at).
    """
    app, box, line = table_of(ApplicationRow), table_of(OutboxRow), table_of(BankLineRow)
    since = datetime.combine(start, time(), tzinfo=UTC)
    columns = (
        app.c.id,
        app.c.reverses_id,
        app.c.created_at,
        app.c.allocations,
        box.c.after_id,
        line.c.bank_id,
        line.c.booked_on,
    )
    booked = (
        select(*columns)
        .join_from(line, app, app.c.bank_line_id == line.c.id)
        .join(box, box.c.application_id == app.c.id)
        .where(line.c.booked_on >= start, line.c.booked_on <= end)
    )
    late = (
        select(*columns)
        .join_from(app, line, line.c.id == app.c.bank_line_id)
        .join(box, box.c.application_id == app.c.id)
        .where(app.c.created_at >= since, line.c.booked_on < start)
    )
    events: list[CashEvent] = []
    for query in (booked, late):
        mine = app.c.origin.not_in(_RECORDED)  # payments people recorded are not arbridge's cash
        rows = session.connection().execute(
            query.where(app.c.erp == erp, box.c.status == "sent", mine)
        )
        events.extend(e for row in rows for e in _events(row))
    back = _returned_events(session, erp, start, end)
    if not back:
        return events
    gone = {e.reverses_id for e in back}  # a reversal of returned cash claws back nothing more
    return [e for e in events if e.reverses_id not in gone] + back


def _returned_events(session: Session, erp: str, start: date, end: date) -> list[CashEvent]:
    """Clawbacks of payments that came back (NSF, returned items): see `store.returns`.

    Each is dated on the returned-item debit and points to the original application
    (`reverses_id`); its own `application_id` is the return's id negated, so it never
    collides with an application's.
    """
    ret, app = table_of(PaymentReturnRow), table_of(ApplicationRow)
    box, line = table_of(OutboxRow), table_of(BankLineRow)
    since = datetime.combine(start, time(), tzinfo=UTC)
    query = (
        select(ret.c.id, ret.c.application_id, ret.c.booked_on, ret.c.created_at)
        .add_columns(app.c.allocations, line.c.bank_id)
        .join_from(ret, app, app.c.id == ret.c.application_id)
        .join(box, box.c.application_id == app.c.id)
        .join(line, line.c.id == ret.c.bank_line_id)
        .where(ret.c.erp == erp, box.c.status == "sent")
        .where(
            ((ret.c.booked_on >= start) & (ret.c.booked_on <= end))
            | ((ret.c.created_at >= since) & (ret.c.booked_on < start))
        )
    )
    out: list[CashEvent] = []
    for rid, original, day, created, allocations, bank_id in session.connection().execute(query):
        out += [
            CashEvent(
                application_id=-rid,
                bank_id=bank_id,
                booked_on=day,
                recorded_on=created.astimezone(UTC).date(),
                invoice_id=a["invoice_id"],
                customer_id=a["customer_id"],
                cash=Decimal(a["amount"]),
                reverses_id=original,
            )
            for a in allocations
            if a["invoice_id"] and Decimal(a["amount"])
        ]
    return out


def _events(row: Any) -> Iterator[CashEvent]:
    """One event per allocation of the row's application to an invoice with cash."""
    recorded = row.created_at.astimezone(UTC).date()
    correction = row.reverses_id is not None or row.after_id is not None
    for a in row.allocations:
        cash = Decimal(a["amount"])
        if a["invoice_id"] and cash:
            yield CashEvent(
                application_id=row.id,
                bank_id=row.bank_id,
                booked_on=row.booked_on,
                recorded_on=recorded,
                invoice_id=a["invoice_id"],
                customer_id=a["customer_id"],
                cash=cash,
                reverses_id=row.reverses_id,
                correction=correction,
            )


def closed_periods(session: Session, erp: str) -> set[str]:
    """The months closed for this ERP (`YYYY-MM`)."""
    table = table_of(CommissionPeriodRow)
    query = select(table.c.period).where(table.c.erp == erp)
    return {p for (p,) in session.connection().execute(query)}


def settled(session: Session, erp: str, application_ids: Iterable[int]) -> set[tuple[int, str]]:
    """(application id, invoice id) pairs already paid in a closed period's lines."""
    table = table_of(CommissionLineRow)
    query = select(table.c.application_id, table.c.invoice_id).where(
        table.c.erp == erp, table.c.application_id.in_(bindparam("ids", expanding=True))
    )
    found: set[tuple[int, str]] = set()
    for chunk in chunks(sorted(set(application_ids))):
        found.update((a, i) for a, i in session.connection().execute(query, {"ids": chunk}))
    return found


def frozen_lines(
    session: Session, erp: str, *, periods: Sequence[str] = (), applications: Sequence[int] = ()
) -> list[CommissionLine]:
    """Lines of closed periods: those of `periods`, and those of `applications`."""
    table = table_of(CommissionLineRow)
    found: list[CommissionLine] = []
    wanted: list[tuple[Any, list[Any]]] = [
        (table.c.period, list(periods)),
        (table.c.application_id, sorted(set(applications))),
    ]
    for column, values in wanted:
        query = (
            select(table)
            .where(table.c.erp == erp, column.in_(bindparam("values", expanding=True)))
            .order_by(table.c.id)
        )
        for chunk in chunks(values):
            found.extend(
                _line(row) for row in session.connection().execute(query, {"values": chunk})
            )
    return found


def _line(row: Any) -> CommissionLine:
    return CommissionLine(
        sales_rep=row.sales_rep,
        invoice_id=row.invoice_id,
        customer_id=row.customer_id,
        bank_id=row.bank_id,
        booked_on=row.booked_on,
        effective_on=row.effective_on,
        application_id=row.application_id,
        cash_amount=row.cash_amount,
        basis=row.basis,
        rate=Decimal(row.rate),
        commission=row.commission,
        reverses_id=row.reverses_id,
    )


def close_period(
    session: Session,
    erp: str,
    period: str,
    lines: Sequence[CommissionLine],
    *,
    actor: str,
    now: datetime,
) -> None:
    """Record `period` as closed with exactly these lines, in the caller's transaction."""
    session.add(CommissionPeriodRow(erp=erp, period=period, closed_at=now, closed_by=actor))
    session.flush()
    rows = [
        {
            "erp": erp,
            "period": period,
            "sales_rep": x.sales_rep,
            "invoice_id": x.invoice_id,
            "customer_id": x.customer_id,
            "bank_id": x.bank_id,
            "booked_on": x.booked_on,
            "effective_on": x.effective_on,
            "application_id": x.application_id,
            "reverses_id": x.reverses_id,
            "cash_amount": x.cash_amount,
            "basis": x.basis,
            "rate": str(x.rate),
            "commission": x.commission,
        }
        for x in lines
    ]
    bulk_insert(session, table_of(CommissionLineRow), rows)
