"""Deposits held for an order's final invoice: the open `deposit_received` review items.

The held cash is a bank line whose review item carries the order it was recognised for
(its suggestion's `order_ref`); nothing is posted for it until the final invoice takes it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from arbridge.domain.deposits import HeldCash
from arbridge.domain.review import ReviewReason, ReviewStatus
from arbridge.store.tables import BankLineRow, ReviewItemRow

HELD_REASONS = (ReviewReason.DEPOSIT_RECEIVED.value, ReviewReason.DEPOSIT_FINAL_CHOICE.value)
_ACTIVE = (ReviewStatus.OPEN.value, ReviewStatus.ASSIGNED.value)


def held(session: Session) -> list[HeldCash]:
    """Every deposit held now (open or assigned items), oldest first."""
    rows = session.exec(
        select(ReviewItemRow, BankLineRow)
        .join(BankLineRow, col(BankLineRow.id) == col(ReviewItemRow.bank_line_id))
        .where(col(ReviewItemRow.reason).in_(HELD_REASONS))
        .where(col(ReviewItemRow.status).in_(_ACTIVE))
        .order_by(col(BankLineRow.booked_on), col(ReviewItemRow.id))
    ).all()
    return [_row(item, line) for item, line in rows]


def _row(item: ReviewItemRow, line: BankLineRow) -> HeldCash:
    assert item.id is not None
    first: dict[str, Any] = item.suggestions[0] if item.suggestions else {}
    return HeldCash(
        item_id=item.id,
        customer_id=item.customer_id or "",
        order_ref=str(first.get("order_ref") or ""),
        amount=line.amount,
        bank_id=line.bank_id,
        booked_on=line.booked_on,
        candidates=tuple(first.get("final_invoice_ids") or ()),
    )


def ask(
    session: Session, item_id: int, *, why: str, candidates: tuple[str, ...], now: datetime
) -> bool:
    """Turn a held deposit into a choice for a person (final invoices found, none fits alone).

    Returns:
        Whether the item changed (the same question is not asked again).
    """
    item = session.get_one(ReviewItemRow, item_id)
    first: dict[str, Any] = dict(item.suggestions[0]) if item.suggestions else {}
    if item.reason == ReviewReason.DEPOSIT_FINAL_CHOICE.value and item.message == why:
        return False
    first.update(
        invoice_ids=list(candidates),
        final_invoice_ids=list(candidates),
        explanation=why,
    )
    item.reason = ReviewReason.DEPOSIT_FINAL_CHOICE.value
    item.message = why
    item.suggestions = [first, *item.suggestions[1:]]
    item.updated_at = now
    session.add(item)
    return True
