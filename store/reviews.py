"""Queries and writes on review items. Only `review/` should call the writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, func, select

from store.tables import BankLineRow, ReviewEventRow, ReviewItemRow


@dataclass(frozen=True, slots=True, kw_only=True)
class NewReviewItem:
    """What is needed to open a review item."""

    dedupe_key: str
    reason: str
    message: str
    bank_line_id: int | None = None
    bank_file_id: int | None = None
    amount: Decimal | None = None
    customer_id: str | None = None
    suggestions: tuple[dict[str, Any], ...] = ()


def find_by_key(session: Session, dedupe_key: str) -> ReviewItemRow | None:
    """The item with this dedupe key, in any state."""
    return session.exec(select(ReviewItemRow).where(ReviewItemRow.dedupe_key == dedupe_key)).first()


def insert_item(
    session: Session, item: NewReviewItem, *, status: str, now: datetime
) -> ReviewItemRow:
    """Insert a new item row."""
    row = ReviewItemRow(
        dedupe_key=item.dedupe_key,
        reason=item.reason,
        status=status,
        bank_line_id=item.bank_line_id,
        bank_file_id=item.bank_file_id,
        amount=item.amount,
        customer_id=item.customer_id,
        message=item.message,
        suggestions=list(item.suggestions),
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def add_event(
    session: Session,
    item_id: int,
    *,
    actor: str,
    action: str,
    now: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    comment: str | None = None,
) -> None:
    """Append to an item's audit trail."""
    session.add(
        ReviewEventRow(
            item_id=item_id,
            at=now,
            actor=actor,
            action=action,
            before=before,
            after=after,
            comment=comment,
        )
    )


def list_items(
    session: Session,
    *,
    statuses: Sequence[str],
    reason: str | None = None,
    item_id: int | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[tuple[ReviewItemRow, str | None]]:
    """Items in the given states with their bank line's bank id, oldest first."""
    query = (
        select(ReviewItemRow, BankLineRow.bank_id)
        .join(BankLineRow, col(BankLineRow.id) == col(ReviewItemRow.bank_line_id), isouter=True)
        .where(col(ReviewItemRow.status).in_(statuses))
    )
    if reason is not None:
        query = query.where(ReviewItemRow.reason == reason)
    if item_id is not None:
        query = query.where(ReviewItemRow.id == item_id)
    query = query.order_by(col(ReviewItemRow.id)).offset(offset).limit(limit)
    return [(row, bank_id) for row, bank_id in session.exec(query)]


def events(session: Session, item_id: int) -> list[ReviewEventRow]:
    """An item's audit trail, oldest first."""
    query = (
        select(ReviewEventRow)
        .where(ReviewEventRow.item_id == item_id)
        .order_by(col(ReviewEventRow.id))
    )
    return list(session.exec(query))


def count_by_status(session: Session) -> dict[str, int]:
    """Review items by status."""
    query = select(ReviewItemRow.status, func.count()).group_by(col(ReviewItemRow.status))
    return dict(session.exec(query))
