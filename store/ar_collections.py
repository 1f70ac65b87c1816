"""Repository of the collections records: customer facts, notes, promises, disputes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from arbridge.receivables.promises import Promise, PromiseStatus
from arbridge.store import users
from arbridge.store.ar_tables import (
    ArCustomerRow,
    ArDisputeRow,
    ArEmailRow,
    ArNoteRow,
    ArPromiseRow,
)

NOTE_KINDS = ("note", "call", "email", "letter", "meeting", "promise", "dispute", "plan")
PROFILE_FIELDS = (
    "contact_name",
    "contact_email",
    "contact_phone",
    "language",
    "collector",
    "next_action_on",
    "opted_out",
)


def set_profile(
    session: Session,
    erp: str,
    customer_id: str,
    changes: Mapping[str, Any],
    *,
    actor: str,
    now: datetime,
) -> ArCustomerRow:
    """Change some of a customer's collection facts (`PROFILE_FIELDS`); others stay."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not a customer field: {', '.join(sorted(unknown))}")
    if changes.get("collector"):
        _check_collector(session, changes["collector"])
    row = session.get(ArCustomerRow, (erp, customer_id)) or ArCustomerRow(
        erp=erp, customer_id=customer_id, updated_at=now, updated_by=actor
    )
    for key, value in changes.items():
        setattr(row, key, value)
    row.updated_at, row.updated_by = now, actor
    session.add(row)
    return row


COLLECTING_ROLES = ("collector", "clerk", "admin")
"""The roles a customer's assigned collector may have (a viewer cannot act on the account)."""


def _check_collector(session: Session, name: str) -> None:
    """Refuse a collector who is not an enabled user of a collecting role."""
    row = users.find_user(session, name)
    if row is None or row.disabled or row.role not in COLLECTING_ROLES:
        raise ValueError(
            f"collector {name[:60]!r} is not an enabled user with role collector, clerk or admin"
            " (arbridge user add NAME --role collector)"
        )


def collectors(session: Session) -> list[str]:
    """The names of the enabled users who may be assigned a customer."""
    return [
        u.name for u in users.all_users(session) if not u.disabled and u.role in COLLECTING_ROLES
    ]


def profiles(session: Session, erp: str) -> dict[str, ArCustomerRow]:
    """Every customer with collection facts, by id."""
    query = select(ArCustomerRow).where(ArCustomerRow.erp == erp)
    return {r.customer_id: r for r in session.exec(query)}


def add_note(
    session: Session, erp: str, customer_id: str, *, kind: str, text: str, actor: str, now: datetime
) -> None:
    """Record one effort or remark."""
    if kind not in NOTE_KINDS:
        raise ValueError(f"note kind must be one of {', '.join(NOTE_KINDS)}")
    session.add(
        ArNoteRow(erp=erp, customer_id=customer_id, at=now, actor=actor, kind=kind, text=text)
    )


def notes(session: Session, erp: str, customer_id: str) -> list[ArNoteRow]:
    """A customer's notes, oldest first."""
    query = select(ArNoteRow).where(ArNoteRow.erp == erp, ArNoteRow.customer_id == customer_id)
    return list(session.exec(query.order_by(col(ArNoteRow.at), col(ArNoteRow.id))))


def add_promises(
    session: Session,
    erp: str,
    customer_id: str,
    instalments: Sequence[tuple[date, Decimal]],
    *,
    plan: str | None,
    actor: str,
    now: datetime,
) -> list[ArPromiseRow]:
    """Record a promise (one instalment) or a payment plan (several, sharing `plan`)."""
    rows = [
        ArPromiseRow(
            erp=erp,
            customer_id=customer_id,
            plan=plan,
            made_on=now.date(),
            due_on=due_on,
            amount=amount,
            status=PromiseStatus.OPEN.value,
            actor=actor,
            created_at=now,
        )
        for due_on, amount in instalments
    ]
    session.add_all(rows)
    session.flush()
    return rows


def promises(
    session: Session, erp: str, customer_id: str | None = None, *, open_only: bool = False
) -> list[ArPromiseRow]:
    """Promises and instalments, by due date."""
    query = select(ArPromiseRow).where(ArPromiseRow.erp == erp)
    if customer_id is not None:
        query = query.where(ArPromiseRow.customer_id == customer_id)
    if open_only:
        query = query.where(ArPromiseRow.status == PromiseStatus.OPEN.value)
    return list(session.exec(query.order_by(col(ArPromiseRow.due_on), col(ArPromiseRow.id))))


def as_promise(row: ArPromiseRow) -> Promise:
    """The pure record of a stored promise."""
    assert row.id is not None
    return Promise(
        row.id, row.customer_id, row.made_on, row.due_on, row.amount, PromiseStatus(row.status)
    )


def set_statuses(
    session: Session,
    rows: Sequence[ArPromiseRow],
    statuses: Mapping[int, PromiseStatus],
    now: datetime,
) -> list[ArPromiseRow]:
    """Store new statuses; returns the rows that changed."""
    changed = []
    for row in rows:
        new = statuses.get(row.id or 0)
        if new is not None and new.value != row.status:
            row.status, row.settled_at = new.value, now
            session.add(row)
            changed.append(row)
    return changed


def cancel_promise(session: Session, erp: str, promise_id: int, now: datetime) -> ArPromiseRow:
    """Withdraw an open promise (LookupError if there is no such open one)."""
    row = session.get(ArPromiseRow, promise_id)
    if row is None or row.erp != erp or row.status != PromiseStatus.OPEN.value:
        raise LookupError(f"no open promise {promise_id}")
    row.status, row.settled_at = PromiseStatus.CANCELLED.value, now
    session.add(row)
    return row


def open_dispute(
    session: Session,
    erp: str,
    invoice_id: str,
    customer_id: str,
    *,
    reason: str,
    actor: str,
    now: datetime,
) -> None:
    """Put an invoice in dispute (reopening a closed dispute of it)."""
    session.merge(
        ArDisputeRow(
            erp=erp,
            invoice_id=invoice_id,
            customer_id=customer_id,
            reason=reason,
            opened_at=now,
            opened_by=actor,
            closed_at=None,
        )
    )


def close_dispute(session: Session, erp: str, invoice_id: str, now: datetime) -> bool:
    """End an invoice's dispute; False when it was not in dispute."""
    row = session.get(ArDisputeRow, (erp, invoice_id))
    if row is None or row.closed_at is not None:
        return False
    row.closed_at = now
    session.add(row)
    return True


def disputes(session: Session, erp: str, customer_id: str | None = None) -> list[ArDisputeRow]:
    """Open disputes."""
    query = select(ArDisputeRow).where(
        ArDisputeRow.erp == erp, col(ArDisputeRow.closed_at).is_(None)
    )
    if customer_id is not None:
        query = query.where(ArDisputeRow.customer_id == customer_id)
    return list(session.exec(query.order_by(col(ArDisputeRow.invoice_id))))


def was_sent(session: Session, erp: str, key: str) -> bool:
    """Whether an email with this key went out already."""
    query = select(ArEmailRow.id).where(ArEmailRow.erp == erp, ArEmailRow.key == key)
    return session.exec(query).first() is not None


def log_email(session: Session, row: ArEmailRow) -> None:
    """Remember a sent email (its Message-ID, to whom, why)."""
    session.add(row)


def emails(session: Session, erp: str, customer_id: str) -> list[ArEmailRow]:
    """The emails sent to a customer, oldest first."""
    query = select(ArEmailRow).where(ArEmailRow.erp == erp, ArEmailRow.customer_id == customer_id)
    return list(session.exec(query.order_by(col(ArEmailRow.sent_at), col(ArEmailRow.id))))


def dunned(session: Session, erp: str) -> set[tuple[str, str]]:
    """(invoice id, stage) of every dunning notice already sent."""
    query = select(ArEmailRow.key).where(ArEmailRow.erp == erp, ArEmailRow.kind == "dunning")
    out = set()
    for key in session.exec(query):
        _, invoice_id, stage = key.split(":", 2)  # dunning:<invoice>:<stage>, stage has no ':'
        out.add((invoice_id, stage))
    return out
