"""Repository of applications and their outbox: what was decided, and whether the ERP has it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, exists, false, insert, or_, true, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from arbridge.domain.records import ZERO, Allocation, Application
from arbridge.store import _live, _rejections
from arbridge.store._core import bulk_insert, ids_by_key, table_of, update_rows
from arbridge.store.tables import ApplicationRow, BankLineRow, OutboxRow

RECORDED_ORIGIN = "erp"
"""`application.origin` of a payment a person recorded in the ERP, written down to reverse it."""


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A pending delivery: the outbox row id and the application to post.

    A reversal (`reverses` set) undoes the posted application with that ERP reference; its
    `application` carries the undone allocations under the reversal's own idempotency key.
    """

    outbox_id: int
    application: Application
    attempts: int
    bank_line_id: int = 0
    reverses: str | None = None
    after_id: int | None = None
    recorded: bool = False
    """A reversal of a payment a person recorded in the ERP (`reverses` is its payment id)."""

    @property
    def is_correction(self) -> bool:
        """A reversal, or a re-application waiting on one."""
        return self.reverses is not None or self.after_id is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class NewApplication:
    """An application to record, with why it was made."""

    bank_line_id: int
    application: Application
    confidence: float
    explanation: str
    origin: str = "auto"
    reverses_id: int | None = None
    """A reversal: the id of the posted application it undoes."""
    after: int | None = None
    """Index (in the same call) of the item whose delivery this one waits on."""
    netted: Decimal = Decimal(0)
    """A processor payout only: what the processor netted out of the deposit (refunds,
    disputes, its own fees), by which the charges applied may exceed the bank line."""
    after_outbox_id: int | None = None
    """An outbox entry queued earlier whose delivery this one waits on (a reversal)."""


def add_applications(
    session: Session,
    items: Sequence[NewApplication],
    *,
    erp: str,
    run_id: str | None,
    now: datetime,
) -> list[int]:
    """Record many applications and queue each in the outbox, in the caller's transaction.

    Only `store.ledger` calls this: it checks the invariants first.

    Returns:
        The application ids, in the order given.
    """
    if not items:
        return []
    rows = [
        {
            "idempotency_key": i.application.idempotency_key,
            "bank_line_id": i.bank_line_id,
            "erp": erp,
            "customer_id": i.application.customer_id,
            "amount": i.application.amount,
            "allocations": [_allocation_json(a) for a in i.application.allocations],
            "confidence": i.confidence,
            "explanation": i.explanation,
            "origin": i.origin,
            "run_id": run_id,
            "created_at": now,
            "reverses_id": i.reverses_id,
        }
        for i in items
    ]
    bulk_insert(session, table_of(ApplicationRow), rows)
    keys = [i.application.idempotency_key for i in items]
    by_key = ids_by_key(session, table_of(ApplicationRow).c.idempotency_key, keys)
    ids = [by_key[k] for k in keys]
    outbox = [
        {
            "application_id": i,
            "erp": erp,
            "status": "pending",
            "attempts": 0,
            "created_at": now,
            "after_id": None,
        }
        for i in ids
    ]
    if any(i.after is not None or i.after_outbox_id is not None for i in items):
        _queue_in_order(session, items, outbox)
    else:
        bulk_insert(session, table_of(OutboxRow), outbox)
    return ids


def _queue_in_order(
    session: Session, items: Sequence[NewApplication], outbox: list[dict[str, Any]]
) -> None:
    """Insert outbox rows one by one, pointing each waiting row at the one it waits on."""
    table = table_of(OutboxRow)
    outbox_ids: list[int] = []
    for item, values in zip(items, outbox, strict=True):
        if item.after is not None:
            values["after_id"] = outbox_ids[item.after]
        elif item.after_outbox_id is not None:
            values["after_id"] = item.after_outbox_id
        inserted = session.connection().execute(insert(table).values(values).returning(table.c.id))
        outbox_ids.append(int(inserted.scalar_one()))


def allocation_json(a: Allocation) -> dict[str, Any]:
    """An allocation as stored in `application.allocations`."""
    return _allocation_json(a)


def _allocation_json(a: Allocation) -> dict[str, Any]:
    return {
        "invoice_id": a.invoice_id,
        "customer_id": a.customer_id,
        "amount": str(a.amount),
        "adjustment": str(a.adjustment),
        "adjustment_reason": a.adjustment_reason,
    }


def allocation_from_json(data: dict[str, Any]) -> Allocation:
    """An allocation as stored in `application.allocations`."""
    return _allocation(data)


def _allocation(data: dict[str, Any]) -> Allocation:
    return Allocation(
        invoice_id=data["invoice_id"],
        customer_id=data["customer_id"],
        amount=Decimal(data["amount"]),
        adjustment=Decimal(data["adjustment"]),
        adjustment_reason=data["adjustment_reason"],
    )


def pending(session: Session, erp: str) -> Iterator[OutboxEntry]:
    """Applications not yet delivered to `erp`, oldest first."""
    return _entries(session, OutboxRow.erp == erp, OutboxRow.status == "pending")


def claim(
    session: Session,
    erp: str,
    *,
    worker: str,
    limit: int,
    now: datetime,
    lease: timedelta,
    honour_claims: bool = True,
    after: int = 0,
) -> list[OutboxEntry]:
    """Claim up to `limit` undelivered entries nobody holds (or whose claim expired).

    Only entries with an id above `after` are taken: a push walks the outbox once per
    cycle, so an entry it deferred is not claimed again until the next cycle.

    On PostgreSQL the rows are picked with `FOR UPDATE SKIP LOCKED`, so daemons
    claiming at the same moment get disjoint batches. A claim that expires (its
    daemon died) is taken over; the idempotency key makes the re-post safe. A daemon
    that holds the store's exclusive lease passes `honour_claims=False`: any claim
    left is a dead predecessor's.
    """
    free = or_(col(OutboxRow.claimed_until).is_(None), col(OutboxRow.claimed_until) < now)
    if not honour_claims:
        free = true()
    ids = list(
        session.exec(
            select(OutboxRow.id)
            .where(
                OutboxRow.erp == erp,
                OutboxRow.status == "pending",
                col(OutboxRow.id) > after,
                free,
                _ready(),
            )
            .order_by(col(OutboxRow.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not ids:
        return []
    session.execute(
        update(table_of(OutboxRow))
        .where(table_of(OutboxRow).c.id.in_(ids))
        .values(claimed_by=worker, claimed_until=now + lease)
    )
    return list(_entries(session, col(OutboxRow.id).in_(ids)))


def _ready() -> Any:
    """The entry waits on nothing, or what it waits on is sent."""
    outbox = table_of(OutboxRow)
    prior = outbox.alias("prior")
    sent = exists().where(prior.c.id == outbox.c.after_id, prior.c.status == "sent")
    return or_(outbox.c.after_id.is_(None), sent)


def extend_claims(session: Session, outbox_ids: Sequence[int], *, until: datetime) -> None:
    """Keep claims alive while their batch is still being posted."""
    outbox = table_of(OutboxRow)
    session.execute(update(outbox).where(outbox.c.id.in_(outbox_ids)).values(claimed_until=until))


def release_claims(session: Session, *, worker: str) -> None:
    """Give back this worker's claims on entries it did not deliver (so a retry need not wait)."""
    outbox = table_of(OutboxRow)
    session.execute(
        update(outbox)
        .where(outbox.c.claimed_by == worker, outbox.c.status == "pending")
        .values(claimed_by=None, claimed_until=None)
    )


def _entries(session: Session, *where: Any) -> Iterator[OutboxEntry]:
    outbox, app, line = table_of(OutboxRow), table_of(ApplicationRow), table_of(BankLineRow)
    undone, undone_app = outbox.alias("undone"), app.alias("undone_app")
    query = (  # plain columns, no ORM objects: the push path reads thousands of these
        sa_select(
            outbox.c.id,
            outbox.c.attempts,
            outbox.c.after_id,
            undone.c.erp_reference.label("reverses"),
            app.c.reverses_id,
            app.c.bank_line_id,
            app.c.idempotency_key,
            app.c.customer_id,
            app.c.amount,
            app.c.allocations,
            app.c.explanation,
            line.c.account,
            line.c.bank_id,
            line.c.booked_on,
            undone_app.c.origin.label("undone_origin"),
        )
        .join_from(outbox, app, app.c.id == outbox.c.application_id)
        .join(line, line.c.id == app.c.bank_line_id)
        .outerjoin(undone, undone.c.application_id == app.c.reverses_id)
        .outerjoin(undone_app, undone_app.c.id == app.c.reverses_id)
        .where(*where)
        .order_by(outbox.c.id)
    )
    for row in session.connection().execute(query):
        application = Application(
            idempotency_key=row.idempotency_key,
            bank_account=row.account,
            bank_id=row.bank_id,
            customer_id=row.customer_id,
            booked_on=row.booked_on,
            amount=row.amount,
            allocations=tuple(_allocation(a) for a in row.allocations),
            evidence=row.explanation,
        )
        reverses = None if row.reverses_id is None else (row.reverses or "")
        yield OutboxEntry(
            row.id,
            application,
            row.attempts,
            row.bank_line_id,
            reverses,
            row.after_id,
            recorded=row.undone_origin == RECORDED_ORIGIN,
        )


def mark_sent(session: Session, outbox_id: int, erp_reference: str | None, now: datetime) -> None:
    """The ERP has the application."""
    mark_all_sent(session, [(outbox_id, erp_reference)], now)


def mark_all_sent(
    session: Session, delivered: Sequence[tuple[int, str | None]], now: datetime
) -> None:
    """The ERP has these applications: (outbox id, ERP reference) each."""
    outbox = table_of(OutboxRow)
    update_rows(
        session,
        outbox,
        [{"id": oid, "erp_reference": ref} for oid, ref in delivered],
        status="sent",
        sent_at=now,
        attempts=outbox.c.attempts + 1,
    )


def record_failure(session: Session, outbox_id: int, error: str, *, rejected: bool) -> None:
    """A delivery attempt failed; a rejected one leaves the queue (a review item takes over).

    Entries waiting on a rejected one are rejected with it: they must never be posted alone.
    A rejected application no longer counts (`ended`); a rejected reversal gives the
    application it meant to undo back its place: it stands, and its line is applied.
    """
    row = session.get_one(OutboxRow, outbox_id)
    row.attempts += 1
    row.last_error = error
    session.add(row)
    if not rejected:
        return
    row.status = "rejected"
    session.flush()
    waiting = _rejections.reject_waiting(session, outbox_id)
    app = session.get_one(ApplicationRow, row.application_id)
    _live.mark_ended(session, [*_live.applications_of(session, waiting), app.id or 0], "rejected")
    undone = [app.reverses_id] if app.reverses_id is not None else []
    for waiting_app in _live.applications_of(session, waiting):
        target = _live.reversal_target(session, waiting_app)
        undone += [target] if target is not None else []
    targets = [session.get_one(ApplicationRow, a) for a in undone]
    recorded = [a for a in targets if a.origin == RECORDED_ORIGIN]
    if recorded:
        _rejections.recorded_stands(session, recorded, error)
    elif app.reverses_id is not None:
        _restore(session, app.reverses_id)


def _restore(session: Session, application_id: int) -> None:
    """An application whose reversal the ERP refused stands again (unless its line moved on)."""
    undone = session.get_one(ApplicationRow, application_id)
    if _live.live_on_lines(session, [undone.bank_line_id]):
        return  # cannot happen through the ledger; `arbridge audit` would report the line
    _live.mark_ended(session, [application_id], None)
    line = table_of(BankLineRow)
    session.execute(update(line).where(line.c.id == undone.bank_line_id).values(status="applied"))


def unsent_by_invoice(
    session: Session, erp: str, *, sent_after: datetime | None = None
) -> dict[str, Decimal]:
    """How much pending applications will still take off each invoice.

    With `sent_after`, applications delivered since then count too: an ERP snapshot
    taken at that time does not show them yet.
    """
    delivered_since = (
        and_(col(OutboxRow.status) == "sent", col(OutboxRow.sent_at) > sent_after)
        if sent_after is not None
        else false()
    )
    query = (
        select(ApplicationRow.allocations)
        .join(OutboxRow, col(OutboxRow.application_id) == col(ApplicationRow.id))
        .where(OutboxRow.erp == erp, or_(col(OutboxRow.status) == "pending", delivered_since))
        .where(col(ApplicationRow.reverses_id).is_(None))  # a reversal takes nothing off
    )
    taken: dict[str, Decimal] = {}
    for allocations in session.exec(query):
        for a in allocations:
            if a["invoice_id"]:
                closing = Decimal(a["amount"]) + Decimal(a["adjustment"])
                taken[a["invoice_id"]] = taken.get(a["invoice_id"], ZERO) + closing
    return taken


def outbox_depth(session: Session) -> dict[str, int]:
    """Outbox rows by status."""
    query = select(OutboxRow.status, func.count()).group_by(col(OutboxRow.status))
    return dict(session.exec(query).all())
