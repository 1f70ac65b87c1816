"""Finding what a correction (reverse and re-apply) works on: the posted application and its item.

A correction starts from a review item (a resolved one, or a suspected misapplication),
from an application's idempotency key, or from a bank line's bank id. It needs exactly
one standing application on that line, nothing for the line still waiting for the ERP,
and an ERP reference to reverse by.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from arbridge.domain.records import Application
from arbridge.domain.review import ReviewReason, ReviewStatus
from arbridge.review.queue import ReviewStateError, open_item
from arbridge.store import corrections, reviews
from arbridge.store.corrections import Standing
from arbridge.store.reviews import NewReviewItem
from arbridge.store.tables import BankLineRow, ReviewItemRow

_ACTIVE = (ReviewStatus.OPEN.value, ReviewStatus.ASSIGNED.value)
_MISAPPLIED = ReviewReason.SUSPECTED_MISAPPLICATION.value


def find(session: Session, erp: str, target: int | str) -> tuple[Standing, ReviewItemRow | None]:
    """The standing application to correct, and the item named (None for a key or bank id).

    Raises:
        ReviewStateError: nothing (or more than one thing) to correct, or not yet posted.
    """
    if isinstance(target, int):
        item = _correctable_item(session, target)
        assert item.bank_line_id is not None
        return _one(session, erp, item.bank_line_id), item
    by_key = corrections.standing(session, erp, key=target)
    if by_key:
        _not_waiting(session, by_key[0].bank_line_id)
        return _with_reference(by_key[0]), None
    lines = corrections.lines_with_bank_id(session, target)
    if not lines:
        raise ReviewStateError(f"no posted application or bank line {target!r}")
    if len(lines) > 1:
        raise ReviewStateError(
            f"bank id {target} is in {len(lines)} accounts; give the application's key instead"
        )
    return _one(session, erp, lines[0]), None


def item_for(
    session: Session, line_id: int, line_bank_id: str, undo: Standing, *, actor: str, now: datetime
) -> ReviewItemRow:
    """The item that records a correction started from a key or bank id.

    An open suspected misapplication of the line, else the line's latest resolved item,
    else a new item (opened here, closed by the correction).
    """
    rows = list(
        session.exec(
            select(ReviewItemRow)
            .where(ReviewItemRow.bank_line_id == line_id)
            .order_by(col(ReviewItemRow.id).desc())
        )
    )
    misapplied = [r for r in rows if r.status in _ACTIVE and r.reason == _MISAPPLIED]
    resolved = [r for r in rows if r.status == ReviewStatus.RESOLVED.value]
    if misapplied or resolved:
        return (misapplied or resolved)[0]
    app = undo.application
    item = NewReviewItem(
        dedupe_key=f"correction:{app.idempotency_key}",
        reason=_MISAPPLIED,
        message=f"{actor} found the application {app.idempotency_key} of bank line "
        f"{line_bank_id} wrong ({allocations_text(app)})",
        bank_line_id=line_id,
        amount=app.amount,
        customer_id=app.customer_id,
    )
    item_id = open_item(session, item, now=now, actor=actor)
    if item_id is None:
        raise ReviewStateError(f"a correction of {app.idempotency_key} was already started")
    return session.get_one(ReviewItemRow, item_id)


def keys(undo: Standing, session: Session) -> tuple[str, str]:
    """The reversal's and the re-application's idempotency keys (see `store.corrections`)."""
    return corrections.correction_keys(session, undo)


def record(
    session: Session,
    row: ReviewItemRow,
    *,
    actor: str,
    now: datetime,
    before: Application,
    after: Application,
    reason: str,
) -> None:
    """Close the item (if open) with a `correct` event holding the allocations before and after."""
    assert row.id is not None
    state = {"status": row.status, "assignee": row.assignee}
    row.status, row.updated_at = ReviewStatus.RESOLVED.value, now
    session.add(row)
    reviews.add_event(
        session,
        row.id,
        actor=actor,
        action="correct",
        now=now,
        before={**state, "idempotency_key": before.idempotency_key, "allocations": _json(before)},
        after={
            "status": row.status,
            "assignee": row.assignee,
            "idempotency_key": after.idempotency_key,
            "allocations": _json(after),
        },
        comment=f"corrected: reverse {allocations_text(before)}, re-apply "
        f"{allocations_text(after)} ({reason.strip()})",
    )


def allocations_text(app: Application) -> str:
    """`INV-1 100.00, INV-2 50.00` (credit on account shows as `on account`)."""
    return ", ".join(f"{a.invoice_id or 'on account'} {a.amount}" for a in app.allocations)


def _json(app: Application) -> list[dict[str, Any]]:
    return [
        {"invoice_id": a.invoice_id, "customer_id": a.customer_id, "amount": str(a.amount)}
        for a in app.allocations
    ]


def _correctable_item(session: Session, item_id: int) -> ReviewItemRow:
    row = session.get(ReviewItemRow, item_id)
    if row is None:
        raise ReviewStateError(f"review item {item_id} does not exist")
    if row.bank_line_id is None:
        raise ReviewStateError(f"review item {item_id} has no bank line")
    misapplied = row.reason == _MISAPPLIED and row.status in _ACTIVE
    if not misapplied and row.status != ReviewStatus.RESOLVED.value:
        raise ReviewStateError(
            f"review item {item_id} is {row.status}; only a resolved item or a suspected "
            "misapplication can be corrected"
        )
    return row


def _one(session: Session, erp: str, line_id: int) -> Standing:
    _not_waiting(session, line_id)
    found = corrections.standing(session, erp, bank_line_id=line_id)
    if not found:
        bank_id = session.get_one(BankLineRow, line_id).bank_id
        raise ReviewStateError(f"nothing is posted in the ERP for bank line {bank_id}")
    if len(found) > 1:
        listed = ", ".join(s.application.idempotency_key for s in found)
        raise ReviewStateError(f"several applications stand for this line ({listed}); give one key")
    return _with_reference(found[0])


def _not_waiting(session: Session, line_id: int) -> None:
    waiting = corrections.waiting(session, line_id)
    if waiting:
        raise ReviewStateError(
            f"{', '.join(waiting)} is still waiting for the ERP; correct it once it is posted"
        )


def _with_reference(found: Standing) -> Standing:
    if not found.erp_reference:
        raise ReviewStateError(
            f"the ERP gave no reference for {found.application.idempotency_key}; "
            "it cannot be reversed from here"
        )
    return found
