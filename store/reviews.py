"""Queries and writes on review items. Only `review/` should call the writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, func, select

from arbridge.store._core import bulk_insert, ids_by_key, table_of
from arbridge.store.tables import (
    BankFileRow,
    BankLineRow,
    CustomerRow,
    ReviewEventRow,
    ReviewItemRow,
)

_CHUNK = 500
SEARCH_TEXT_MAX = 500


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
    erp_payment_ids: tuple[str, ...] = ()


def find_by_key(session: Session, dedupe_key: str) -> ReviewItemRow | None:
    """The item with this dedupe key, in any state."""
    return session.exec(select(ReviewItemRow).where(ReviewItemRow.dedupe_key == dedupe_key)).first()


def existing_keys(session: Session, keys: Sequence[str]) -> set[str]:
    """Which of these dedupe keys already have an item (in any state)."""
    found: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        query = select(ReviewItemRow.dedupe_key).where(col(ReviewItemRow.dedupe_key).in_(chunk))
        found.update(session.exec(query))
    return found


def insert_items(
    session: Session, items: Sequence[NewReviewItem], *, status: str, now: datetime
) -> list[int]:
    """Insert many item rows in one statement; their ids in the order given."""
    if not items:
        return []
    lines = _line_facts(session, [i.bank_line_id for i in items])
    rows = [
        {
            "dedupe_key": i.dedupe_key,
            "reason": i.reason,
            "status": status,
            "bank_line_id": i.bank_line_id,
            "bank_file_id": i.bank_file_id,
            "amount": i.amount,
            "customer_id": i.customer_id,
            "message": i.message,
            "suggestions": list(i.suggestions),
            "erp_payment_ids": list(i.erp_payment_ids),
            "assignee": None,
            "created_at": now,
            "updated_at": now,
            **_queue_fields(i, lines.get(i.bank_line_id)),
        }
        for i in items
    ]
    bulk_insert(session, table_of(ReviewItemRow), rows)
    keys = [str(r["dedupe_key"]) for r in rows]
    by_key = ids_by_key(session, table_of(ReviewItemRow).c.dedupe_key, keys)
    return [by_key[k] for k in keys]


def add_events(session: Session, events: Sequence[dict[str, Any]]) -> None:
    """Append many audit-trail rows (keys as in ReviewEventRow) in one statement."""
    if events:
        bulk_insert(session, table_of(ReviewEventRow), events)


def insert_item(
    session: Session, item: NewReviewItem, *, status: str, now: datetime
) -> ReviewItemRow:
    """Insert a new item row."""
    lines = _line_facts(session, [item.bank_line_id])
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
        erp_payment_ids=list(item.erp_payment_ids),
        created_at=now,
        updated_at=now,
        **_queue_fields(item, lines.get(item.bank_line_id)),
    )
    session.add(row)
    session.flush()
    return row


def search_text(payer: str | None, description: str | None, invoice_ids: Sequence[str]) -> str:
    """What the queue's search looks in: payer, bank text and invoice numbers, in lower case."""
    words = " ".join([payer or "", description or "", *invoice_ids]).split()
    return " ".join(words).lower()[:SEARCH_TEXT_MAX]


def _line_facts(
    session: Session, line_ids: Sequence[int | None]
) -> dict[int | None, tuple[date, str | None, str]]:
    """Bank date, payer and text of these bank lines, by id."""
    wanted = sorted({i for i in line_ids if i is not None})
    found: dict[int | None, tuple[date, str | None, str]] = {}
    line = BankLineRow
    for start in range(0, len(wanted), _CHUNK):
        query = select(
            col(line.id), col(line.booked_on), col(line.payer_name), col(line.description)
        ).where(col(line.id).in_(wanted[start : start + _CHUNK]))
        found.update((i, (b, p, d)) for i, b, p, d in session.exec(query))
    return found


def _queue_fields(item: NewReviewItem, line: tuple[date, str | None, str] | None) -> dict[str, Any]:
    ids = [i for s in item.suggestions for i in s.get("invoice_ids", [])]
    booked, payer, text = line or (None, None, None)
    return {"booked_on": booked, "search_text": search_text(payer, text, ids)}


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


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewFilter:
    """Which review items a list shows. Every field narrows; None leaves it open.

    `assignee` "-" means nobody. `created_before` selects items at least that old.
    """

    statuses: Sequence[str]
    reason: str | None = None
    customer_id: str | None = None
    assignee: str | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    created_before: datetime | None = None
    item_id: int | None = None
    booked_before: date | None = None
    after_id: int | None = None
    before_id: int | None = None
    search: str | None = None


def _where(query: Any, wanted: ReviewFilter) -> Any:
    item = ReviewItemRow
    query = query.where(col(item.status).in_(list(wanted.statuses)))
    if wanted.reason is not None:
        query = query.where(item.reason == wanted.reason)
    if wanted.customer_id is not None:
        query = query.where(item.customer_id == wanted.customer_id)
    if wanted.assignee == "-":
        query = query.where(col(item.assignee).is_(None))
    elif wanted.assignee is not None:
        query = query.where(item.assignee == wanted.assignee)
    if wanted.min_amount is not None:
        query = query.where(col(item.amount) >= wanted.min_amount)
    if wanted.max_amount is not None:
        query = query.where(col(item.amount) <= wanted.max_amount)
    if wanted.created_before is not None:
        query = query.where(col(item.created_at) <= wanted.created_before)
    if wanted.item_id is not None:
        query = query.where(item.id == wanted.item_id)
    return _where_more(query, wanted)


def _where_more(query: Any, wanted: ReviewFilter) -> Any:
    """The bank date, the position and the text search of a filter."""
    item = ReviewItemRow
    if wanted.booked_before is not None:
        query = query.where(col(item.booked_on) <= wanted.booked_before)
    if wanted.after_id is not None:
        query = query.where(col(item.id) > wanted.after_id)
    if wanted.before_id is not None:
        query = query.where(col(item.id) < wanted.before_id)
    if wanted.search:
        text = " ".join(wanted.search.lower().split())
        named = select(CustomerRow.customer_id).where(
            func.lower(col(CustomerRow.name)).contains(text, autoescape=True)
        )
        query = query.where(
            col(item.search_text).contains(text, autoescape=True) | col(item.customer_id).in_(named)
        )
    return query


def list_items(
    session: Session,
    wanted: ReviewFilter,
    *,
    limit: int = 1000,
    offset: int = 0,
    newest_first: bool = False,
) -> list[tuple[ReviewItemRow, str | None]]:
    """Items matching the filter with their bank line's bank id, oldest first (or newest).

    The ids are found first (from the queue index alone), then only their rows are read.
    """
    order = col(ReviewItemRow.id).desc() if newest_first else col(ReviewItemRow.id)
    query = _where(select(ReviewItemRow.id), wanted).order_by(order).offset(offset).limit(limit)
    ids = [int(i) for i in session.exec(query)]
    if not ids:
        return []
    rows = select(ReviewItemRow, BankLineRow.bank_id).join(
        BankLineRow, col(BankLineRow.id) == col(ReviewItemRow.bank_line_id), isouter=True
    )
    found = {
        row.id: (row, bank_id)
        for row, bank_id in session.exec(rows.where(col(ReviewItemRow.id).in_(ids)))
    }
    return [found[i] for i in ids]


def count_by_reason(session: Session, wanted: ReviewFilter) -> dict[str, int]:
    """How many items match the filter, by reason (the filter's own reason ignored)."""
    query = select(ReviewItemRow.reason, func.count()).group_by(col(ReviewItemRow.reason))
    rows = session.exec(_where(query, replace(wanted, reason=None))).all()
    return dict(rows)


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
    return dict(session.exec(query).all())


def evidence(session: Session, item_id: int) -> dict[str, Any] | None:
    """The bank line of an item and the file it came from (or the item's quarantined file)."""
    item = session.get(ReviewItemRow, item_id)
    if item is None:
        return None
    line = session.get(BankLineRow, item.bank_line_id) if item.bank_line_id else None
    file_id = line.file_id if line is not None else item.bank_file_id
    found = session.get(BankFileRow, file_id) if file_id else None
    if line is None and found is None:
        return None
    shown: dict[str, Any] = {}
    if line is not None:
        shown |= {
            "account": line.account,
            "booked_on": line.booked_on,
            "amount": line.amount,
            "currency": line.currency,
            "description": line.description,
            "payer_name": line.payer_name,
            "payer_account": line.payer_account,
            "references": list(line.references),
            "source_line": line.source_line,
        }
    if found is not None:
        shown |= {"file": found.name, "file_status": found.status, "file_error": found.error}
    return shown


def apply_filter(query: Any, wanted: ReviewFilter) -> Any:
    """Narrow a select over review items (joined or not with bank lines) to a filter."""
    return _where(query, wanted)
