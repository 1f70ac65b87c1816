"""The period facts of DSO and CEI: the period's sales and what was open when it began."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from arbridge.receivables import PeriodFacts
from arbridge.receivables.aging import ZERO
from arbridge.store import ar_health
from arbridge.store._core import table_of
from arbridge.store.ar import by_invoice
from arbridge.store.ar_sums import open_dated_by
from arbridge.store.tables import ApplicationRow, BankLineRow, InvoiceRow, OutboxRow

_CHUNK = 500


def credit_sales(session: Session, erp: str, after: date, until: date) -> Decimal:
    """The full amounts of the invoices dated after `after` up to `until` (both ends: see names)."""
    query = select(func.sum(InvoiceRow.amount)).where(
        InvoiceRow.erp == erp, InvoiceRow.invoice_date > after, InvoiceRow.invoice_date <= until
    )
    total = session.exec(query).one()
    return total if total is not None else ZERO


def estimated_open_at(session: Session, erp: str, day: date) -> Decimal:
    """Receivables open at the end of `day`, rebuilt from today's open items.

    Invoices dated by then, with what arbridge applied to them from bank lines booked
    after that day added back. Cash applied by others since then is not known here, so
    this may fall short of the true figure.
    """
    total = open_dated_by(session, erp, day)
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
    later = by_invoice(
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


def period_facts(session: Session, erp: str, as_of: date, days: int) -> PeriodFacts:
    """Sales of the `days` ending on `as_of`, and what was open when they began.

    The opening figure is the KPI snapshot stored for that day when a cycle ran then,
    else an estimate rebuilt from today's items (`estimated_open_at`).
    """
    start = as_of - timedelta(days=days)
    beginning = ar_health.open_total_on(session, erp, start)
    if beginning is None:
        beginning = estimated_open_at(session, erp, start)
    return PeriodFacts(
        start=start, credit_sales=credit_sales(session, erp, start, as_of), beginning_open=beginning
    )
