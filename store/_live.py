"""What counts on the ledger now: live applications per bank line, and what each invoice gives up.

An application is *live* while it is not a reversal and has not ended (`ended` is None):
it waits in the outbox or the ERP has it. A reversal ends the application it undoes as
soon as it is queued; if the ERP refuses the reversal, the application stands again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, false, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session

from arbridge.domain.records import ZERO
from arbridge.store._core import table_of
from arbridge.store.tables import ApplicationRow, BankLineRow, InvoiceRow, OutboxRow

_CHUNK = 500


@dataclass(frozen=True, slots=True, kw_only=True)
class Live:
    """A live application of a bank line and where its delivery is."""

    application_id: int
    outbox_id: int
    bank_line_id: int
    key: str
    status: str  # pending | sent
    claimed_until: datetime | None
    attempts: int
    allocations: tuple[dict[str, Any], ...]


def is_live() -> Any:
    """The SQL condition of a live application (the partial unique index's condition)."""
    app = table_of(ApplicationRow)
    return and_(app.c.reverses_id.is_(None), app.c.ended.is_(None))


def live_on_lines(session: Session, line_ids: Iterable[int]) -> dict[int, list[Live]]:
    """The live applications of these bank lines, by line id."""
    app, outbox = table_of(ApplicationRow), table_of(OutboxRow)
    ids = sorted(set(line_ids))
    found: dict[int, list[Live]] = {}
    for start in range(0, len(ids), _CHUNK):
        query = (
            sa_select(
                app.c.id,
                outbox.c.id.label("outbox_id"),
                app.c.bank_line_id,
                app.c.idempotency_key,
                outbox.c.status,
                outbox.c.claimed_until,
                outbox.c.attempts,
                app.c.allocations,
            )
            .join_from(app, outbox, outbox.c.application_id == app.c.id)
            .where(is_live(), app.c.bank_line_id.in_(ids[start : start + _CHUNK]))
            .order_by(app.c.id)
        )
        for row in session.connection().execute(query):
            found.setdefault(row.bank_line_id, []).append(
                Live(
                    application_id=row.id,
                    outbox_id=row.outbox_id,
                    bank_line_id=row.bank_line_id,
                    key=row.idempotency_key,
                    status=row.status,
                    claimed_until=row.claimed_until,
                    attempts=row.attempts,
                    allocations=tuple(row.allocations),
                )
            )
    return found


def pending_reversals(session: Session, line_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """The lines' reversals still waiting for the ERP: line id -> (outbox id, undone application id)."""
    app, outbox = table_of(ApplicationRow), table_of(OutboxRow)
    ids = sorted(set(line_ids))
    found: dict[int, tuple[int, int]] = {}
    for start in range(0, len(ids), _CHUNK):
        query = (
            sa_select(app.c.bank_line_id, outbox.c.id, app.c.reverses_id)
            .join_from(app, outbox, outbox.c.application_id == app.c.id)
            .where(
                app.c.bank_line_id.in_(ids[start : start + _CHUNK]),
                app.c.reverses_id.is_not(None),
                outbox.c.status == "pending",
            )
            .order_by(outbox.c.id)
        )
        for line_id, outbox_id, undone in session.connection().execute(query):
            found[int(line_id)] = (int(outbox_id), int(undone))
    return found


@dataclass(frozen=True, slots=True)
class LineSeen:
    """What the ledger checks of a bank line."""

    id: int
    bank_id: str
    amount: Decimal
    status: str
    explanation: str | None


def bank_lines(session: Session, line_ids: Iterable[int]) -> dict[int, LineSeen]:
    """The bank lines with these ids (five columns, not ORM rows: a cycle checks thousands)."""
    line = table_of(BankLineRow)
    ids = sorted(set(line_ids))
    found: dict[int, LineSeen] = {}
    columns = (line.c.id, line.c.bank_id, line.c.amount, line.c.status, line.c.explanation)
    for start in range(0, len(ids), _CHUNK):
        query = sa_select(*columns).where(line.c.id.in_(ids[start : start + _CHUNK]))
        found.update((r[0], LineSeen(*r)) for r in session.connection().execute(query))
    return found


def allocations_of(session: Session, application_id: int) -> list[dict[str, Any]]:
    """An application's stored allocations."""
    return list(session.get_one(ApplicationRow, application_id).allocations)


@dataclass(frozen=True, slots=True)
class InvoiceSeen:
    """What the ledger needs of an invoice: its open amount and when it was read."""

    invoice_id: str
    open_amount: Decimal
    seen_at: datetime


def invoices(session: Session, erp: str, invoice_ids: Sequence[str]) -> dict[str, InvoiceSeen]:
    """The invoices as last read from the ERP, by id.

    Three columns, not whole rows: one payout may name a hundred thousand invoices.
    """
    table = table_of(InvoiceRow)
    found: dict[str, InvoiceSeen] = {}
    ids = sorted(set(invoice_ids))
    for start in range(0, len(ids), _CHUNK):
        query = sa_select(table.c.invoice_id, table.c.open_amount, table.c.seen_at).where(
            table.c.erp == erp, table.c.invoice_id.in_(ids[start : start + _CHUNK])
        )
        found.update((r[0], InvoiceSeen(*r)) for r in session.connection().execute(query))
    return found


def taken_from(
    session: Session,
    erp: str,
    seen: dict[str, datetime],
    *,
    sent_after: datetime | None = None,
    per_invoice: bool = True,
) -> dict[str, Decimal]:
    """What live applications take off these invoices that their stored open amount does not show.

    That is what waits in the outbox, and what was sent after the open amount was read
    (a reversal sent since gives its amounts back):
    `per_invoice`, after each invoice's own read (`seen`: invoice id -> when that version
    was read); else after `sent_after` (the automatic path's snapshot time, None for a
    snapshot just read: pending entries only).
    """
    if not seen:
        return {}
    app, outbox = table_of(ApplicationRow), table_of(OutboxRow)
    since = min(seen.values()) if per_invoice else sent_after
    delivered = (
        and_(outbox.c.status == "sent", outbox.c.sent_at > since) if since is not None else false()
    )
    query = (
        sa_select(app.c.allocations, outbox.c.status, outbox.c.sent_at, app.c.reverses_id)
        .join_from(app, outbox, outbox.c.application_id == app.c.id)
        .where(app.c.erp == erp)
        .where(
            or_(
                and_(is_live(), or_(outbox.c.status == "pending", delivered)),
                and_(app.c.reverses_id.is_not(None), delivered),
            )
        )
    )
    taken: dict[str, Decimal] = {}
    for allocations, status, sent_at, reverses in session.connection().execute(query):
        sign = 1 if reverses is None else -1  # a reversal the ERP made gives the money back
        for a in allocations:
            invoice = a["invoice_id"]
            if invoice not in seen:
                continue
            if per_invoice and status == "sent" and not sent_at > seen[invoice]:
                continue  # the stored open amount already shows it
            closing = Decimal(a["amount"]) + Decimal(a["adjustment"])
            taken[invoice] = taken.get(invoice, ZERO) + sign * closing
    return taken


def mark_ended(session: Session, application_ids: Sequence[int], why: str | None) -> None:
    """Set (or, with None, clear) why these applications no longer count."""
    if not application_ids:
        return
    app = table_of(ApplicationRow)
    session.execute(app.update().where(app.c.id.in_(application_ids)).values(ended=why))


def applications_of(session: Session, outbox_ids: Sequence[int]) -> list[int]:
    """Application ids behind these outbox entries."""
    outbox = table_of(OutboxRow)
    query = sa_select(outbox.c.application_id).where(outbox.c.id.in_(outbox_ids))
    return [int(r[0]) for r in session.connection().execute(query)]


def reversal_target(session: Session, application_id: int) -> int | None:
    """The application a reversal undoes (None for an application that is not a reversal)."""
    return session.get_one(ApplicationRow, application_id).reverses_id
