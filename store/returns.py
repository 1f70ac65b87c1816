"""Repository of returned payments: new debits to look at, applied payments, the returns found."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session

from arbridge.domain.records import BankLine
from arbridge.store import bank
from arbridge.store._core import table_of
from arbridge.store.return_tables import PaymentReturnRow
from arbridge.store.tables import ApplicationRow, BankLineRow


def debits_after(session: Session, after_id: int) -> list[tuple[int, BankLine]]:
    """Debit lines stored after line `after_id`, oldest first."""
    line = table_of(BankLineRow)
    ids = [
        i
        for (i,) in session.connection().execute(
            select(line.c.id)
            .where(line.c.id > after_id, line.c.amount < Decimal(0))
            .order_by(line.c.id)
        )
    ]
    return bank.load_lines(session, ids)


def last_line_id(session: Session) -> int:
    """The newest bank line's id (0 with none)."""
    line = table_of(BankLineRow)
    found = session.connection().execute(select(line.c.id).order_by(line.c.id.desc())).first()
    return int(found[0]) if found else 0


def paid(
    session: Session, erp: str, account: str, amount: Decimal, *, until: date, days: int
) -> list[tuple[int, str, date, Decimal, str]]:
    """Live applications of `account`'s credits of `amount` booked in the `days` up to `until`.

    (application id, bank id, booked on, amount, description), excluding those already
    returned.
    """
    app, line, ret = table_of(ApplicationRow), table_of(BankLineRow), table_of(PaymentReturnRow)
    query = (
        select(app.c.id, line.c.bank_id, line.c.booked_on, line.c.amount, line.c.description)
        .join_from(app, line, line.c.id == app.c.bank_line_id)
        .where(
            app.c.erp == erp,
            app.c.reverses_id.is_(None),
            app.c.ended.is_(None),
            line.c.account == account,
            line.c.amount == amount,
            line.c.booked_on <= until,
            line.c.booked_on >= until - timedelta(days=days),
            app.c.id.not_in(select(ret.c.application_id)),
        )
        .order_by(line.c.booked_on, app.c.id)
    )
    return [(int(i), str(b), d, a, str(t)) for i, b, d, a, t in session.connection().execute(query)]


def record(
    session: Session, erp: str, *, line_id: int, application_id: int, booked_on: date, now: datetime
) -> None:
    """Record that debit `line_id` returned the payment of `application_id`."""
    session.add(
        PaymentReturnRow(
            erp=erp,
            bank_line_id=line_id,
            application_id=application_id,
            booked_on=booked_on,
            created_at=now,
        )
    )
