"""What a refused outbox entry takes with it: the entries waiting on it, and a recorded payment's link.

A correction is a chain (reversals, then the re-application, each waiting on the one
before): when the ERP refuses one, everything after it is refused too. When the refused
entry reversed a payment a person recorded, that payment records its line again.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from arbridge.store import erp_payments
from arbridge.store._core import table_of
from arbridge.store.tables import ApplicationRow, BankLineRow, OutboxRow


def reject_waiting(session: Session, outbox_id: int) -> list[int]:
    """Reject what waits on this entry, and what waits on those (a correction's chain)."""
    outbox = table_of(OutboxRow)
    rejected: list[int] = []
    front = [outbox_id]
    while front:
        query = select(OutboxRow.id).where(
            col(OutboxRow.after_id).in_(front), OutboxRow.status == "pending"
        )
        front = [i for i in session.exec(query) if i is not None]
        session.execute(
            update(outbox)
            .where(outbox.c.id.in_(front))
            .values(
                status="rejected",
                last_error=f"not posted: entry {outbox_id} it waits on was refused",
            )
        )
        rejected += front
    return rejected


def recorded_stands(session: Session, undone: list[ApplicationRow], error: str) -> None:
    """Reversals of payments people recorded were refused: those payments record the line again."""
    refs = select(OutboxRow.erp_reference).where(
        col(OutboxRow.application_id).in_([a.id for a in undone])
    )
    pids = [r for r in session.exec(refs) if r]
    erp_payments.unmark_reversed(session, undone[0].erp, pids)
    line = table_of(BankLineRow)
    session.execute(
        update(line)
        .where(line.c.id == undone[0].bank_line_id)
        .values(status="in_erp", explanation=f"recorded in the ERP; the correction failed: {error}")
    )
