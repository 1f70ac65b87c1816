"""What a correction needs to know: which applications the ERP holds for a bank line, and the queue.

An application is *standing* when its outbox entry was sent and no reversal of it is
pending or sent. A correction reverses one standing application and re-applies the cash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from arbridge.domain.records import Application
from arbridge.store.postings import allocation_from_json
from arbridge.store.tables import ApplicationRow, BankLineRow, OutboxRow

_REAPPLIED = re.compile(r":reapply:\d+$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Standing:
    """A posted application the ERP holds, with the reference posting returned."""

    application_id: int
    bank_line_id: int
    application: Application
    erp_reference: str | None


def standing(
    session: Session, erp: str, *, bank_line_id: int | None = None, key: str | None = None
) -> list[Standing]:
    """Standing applications of one bank line, or the one with this idempotency key."""
    undo, undo_box = aliased(ApplicationRow), aliased(OutboxRow)
    reversed_ = (
        select(undo.id)
        .join(undo_box, col(undo_box.application_id) == col(undo.id))
        .where(undo.reverses_id == ApplicationRow.id, col(undo_box.status).in_(("pending", "sent")))
        .exists()
    )
    query = (
        select(ApplicationRow, OutboxRow.erp_reference, BankLineRow)
        .join(OutboxRow, col(OutboxRow.application_id) == col(ApplicationRow.id))
        .join(BankLineRow, col(BankLineRow.id) == col(ApplicationRow.bank_line_id))
        .where(ApplicationRow.erp == erp, OutboxRow.status == "sent")
        .where(col(ApplicationRow.reverses_id).is_(None), ~reversed_)
        .order_by(col(ApplicationRow.id))
    )
    if bank_line_id is not None:
        query = query.where(ApplicationRow.bank_line_id == bank_line_id)
    if key is not None:
        query = query.where(ApplicationRow.idempotency_key == key)
    return [_standing(app, ref, line) for app, ref, line in session.exec(query)]


def _standing(app: ApplicationRow, ref: str | None, line: BankLineRow) -> Standing:
    assert app.id is not None
    application = Application(
        idempotency_key=app.idempotency_key,
        bank_account=line.account,
        bank_id=line.bank_id,
        customer_id=app.customer_id,
        booked_on=line.booked_on,
        amount=app.amount,
        allocations=tuple(allocation_from_json(a) for a in app.allocations),
        evidence=app.explanation,
    )
    return Standing(
        application_id=app.id,
        bank_line_id=app.bank_line_id,
        application=application,
        erp_reference=ref,
    )


def waiting(session: Session, bank_line_id: int) -> list[str]:
    """Idempotency keys of the line's applications still waiting for the ERP."""
    query = (
        select(ApplicationRow.idempotency_key)
        .join(OutboxRow, col(OutboxRow.application_id) == col(ApplicationRow.id))
        .where(ApplicationRow.bank_line_id == bank_line_id, OutboxRow.status == "pending")
    )
    return list(session.exec(query))


def reversal_count(session: Session, bank_line_id: int) -> int:
    """How many reversals were ever queued for this bank line (the next one is numbered after)."""
    query = select(func.count()).where(
        ApplicationRow.bank_line_id == bank_line_id, col(ApplicationRow.reverses_id).is_not(None)
    )
    return int(session.exec(query).one())


def lines_with_bank_id(session: Session, bank_id: str) -> list[int]:
    """Ids of the bank lines with this bank id (one per account)."""
    query = select(BankLineRow.id).where(BankLineRow.bank_id == bank_id)
    return [i for i in session.exec(query) if i is not None]


def correction_keys(session: Session, undo: Standing) -> tuple[str, str]:
    """The reversal's and the re-application's idempotency keys: `<root>:reverse:<n>`, `:reapply:<n>`.

    The root is the line's first application's key (a re-application's key without its
    suffix); n counts the line's reversals, so correcting a correction gets new keys.
    """
    root = _REAPPLIED.sub("", undo.application.idempotency_key)
    n = reversal_count(session, undo.bank_line_id) + 1
    return f"{root}:reverse:{n}", f"{root}:reapply:{n}"
