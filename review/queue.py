"""Open, list, assign, dismiss and reopen review items, keeping an audit trail."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from arbridge.domain.errors import ArbridgeError
from arbridge.domain.masking import mask_account
from arbridge.domain.records import Proposal
from arbridge.domain.review import ReviewReason, ReviewStatus
from arbridge.store import Store, ledger, reviews
from arbridge.store.reviews import NewReviewItem, ReviewFilter
from arbridge.store.tables import ReviewItemRow

SYSTEM_ACTOR = "arbridge"
ACTIVE = (ReviewStatus.OPEN, ReviewStatus.ASSIGNED)

_ALLOWED: dict[str, set[ReviewStatus]] = {
    "assign": {ReviewStatus.OPEN, ReviewStatus.ASSIGNED},
    "dismiss": {ReviewStatus.OPEN, ReviewStatus.ASSIGNED},
    "resolve": {ReviewStatus.OPEN, ReviewStatus.ASSIGNED},
    "reopen": {ReviewStatus.RESOLVED, ReviewStatus.DISMISSED},
}


class ReviewStateError(ArbridgeError):
    """The requested change does not fit the item's state (or the item does not exist)."""


@contextmanager
def ledger_refusals() -> Iterator[None]:
    """Show the money ledger's refusals (`store.ledger`) as the queue's own, message intact."""
    try:
        yield
    except ledger.LedgerRefusedError as exc:
        raise ReviewStateError(str(exc)) from None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewItemView:
    """A review item as people see it."""

    item_id: int
    reason: str
    status: str
    bank_transaction_id: str | None
    amount: Decimal | None
    customer_id: str | None
    suggested_invoice_ids: tuple[str, ...]
    message: str
    assignee: str | None
    created_at: datetime
    suggestions: tuple[dict[str, Any], ...] = ()
    erp_payment_ids: tuple[str, ...] = ()


def open_item(
    session: Session, item: NewReviewItem, *, now: datetime, actor: str = SYSTEM_ACTOR
) -> int | None:
    """Open an item in the caller's transaction unless one with its dedupe key exists.

    Returns:
        The new item's id, or None when it already existed.
    """
    if reviews.find_by_key(session, item.dedupe_key) is not None:
        return None
    row = reviews.insert_item(session, item, status=ReviewStatus.OPEN, now=now)
    assert row.id is not None
    reviews.add_event(session, row.id, actor=actor, action="opened", now=now, after=_state(row))
    return row.id


def open_many(
    session: Session,
    items: Sequence[NewReviewItem],
    *,
    now: datetime,
    actor: str = SYSTEM_ACTOR,
) -> list[int | None]:
    """Open many items at once (dedupe as `open_item`); the new ids, None where one existed."""
    seen = reviews.existing_keys(session, [i.dedupe_key for i in items])
    fresh: dict[str, NewReviewItem] = {}
    for item in items:
        if item.dedupe_key not in seen:
            fresh.setdefault(item.dedupe_key, item)
    ids = dict(
        zip(
            fresh,
            reviews.insert_items(session, list(fresh.values()), status=ReviewStatus.OPEN, now=now),
            strict=True,
        )
    )
    opened = {"status": ReviewStatus.OPEN.value, "assignee": None}
    reviews.add_events(
        session,
        [
            {"item_id": i, "at": now, "actor": actor, "action": "opened", "after": opened}
            for i in ids.values()
        ],
    )
    result: list[int | None] = []
    for item in items:
        result.append(ids.pop(item.dedupe_key, None))
    return result


def item_for_bank_line(
    proposal: Proposal, bank_line_id: int, reason: ReviewReason
) -> NewReviewItem:
    """The review item for a bank line the engine would not apply on its own."""
    line = proposal.line
    return NewReviewItem(
        dedupe_key=f"line:{line.account}:{line.bank_id}:{reason.value}",
        reason=reason.value,
        message=proposal.explanation,
        bank_line_id=bank_line_id,
        amount=line.amount,
        customer_id=proposal.customer_id,
        suggestions=tuple(
            {
                "invoice_ids": list(s.invoice_ids),
                "customer_id": s.customer_id,
                "explanation": s.explanation,
                "confidence": s.confidence,
            }
            for s in proposal.suggestions
        ),
    )


def _state(row: ReviewItemRow) -> dict[str, Any]:
    return {"status": row.status, "assignee": row.assignee}


def _view(row: ReviewItemRow, bank_id: str | None) -> ReviewItemView:
    assert row.id is not None
    ids: list[str] = []
    for suggestion in row.suggestions:
        ids += [i for i in suggestion.get("invoice_ids", []) if i not in ids]
    return ReviewItemView(
        item_id=row.id,
        reason=row.reason,
        status=row.status,
        bank_transaction_id=bank_id,
        amount=row.amount,
        customer_id=row.customer_id,
        suggested_invoice_ids=tuple(ids),
        message=row.message,
        assignee=row.assignee,
        created_at=row.created_at,
        suggestions=tuple(row.suggestions),
        erp_payment_ids=tuple(row.erp_payment_ids or ()),
    )


class ReviewQueue:
    """What finance staff do with review items, each change in its own transaction."""

    def __init__(
        self, store: Store, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._store = store
        self._clock = clock

    def open_items(
        self,
        *,
        statuses: Sequence[str] = ACTIVE,
        reason: str | None = None,
        limit: int = 1000,
        offset: int = 0,
        newest_first: bool = False,
        **narrow: Any,
    ) -> list[ReviewItemView]:
        """Items in the given states (open and assigned by default), oldest first (or newest).

        `narrow` takes the other fields of `store.reviews.ReviewFilter`
        (customer_id, assignee, min_amount, max_amount, created_before, after_id, ...).
        """
        wanted = ReviewFilter(statuses=list(statuses), reason=reason, **narrow)
        with self._store.transaction() as session:
            rows = reviews.list_items(
                session, wanted, limit=limit, offset=offset, newest_first=newest_first
            )
            return [_view(row, bank_id) for row, bank_id in rows]

    def counts(self, wanted: ReviewFilter) -> dict[str, int]:
        """How many items match, by reason."""
        with self._store.transaction() as session:
            return reviews.count_by_reason(session, wanted)

    def comment(self, item_id: int, text: str, *, actor: str) -> None:
        """Add a comment to an item's trail, in any state, without changing it."""
        if not text.strip():
            raise ReviewStateError("a comment needs some text")
        with self._store.transaction() as session:
            row = session.get(ReviewItemRow, item_id)
            if row is None:
                raise ReviewStateError(f"review item {item_id} does not exist")
            reviews.add_event(
                session,
                item_id,
                actor=actor,
                action="comment",
                now=self._clock(),
                comment=text.strip(),
            )

    def bulk(self, item_ids: Sequence[int], action: str, *, actor: str, **args: str) -> list[str]:
        """Assign or dismiss many items; each is its own change. Returns the refusals."""
        refused = []
        for item_id in item_ids:
            try:
                if action == "assign":
                    self.assign(item_id, args.get("assignee") or actor, actor=actor)
                elif action == "dismiss":
                    self.dismiss(item_id, actor=actor, comment=args.get("comment", ""))
                else:
                    raise ReviewStateError(f"no bulk action {action!r}")
            except ReviewStateError as exc:
                refused.append(str(exc))
        return refused

    def show(self, item_id: int) -> tuple[ReviewItemView, list[dict[str, Any]]]:
        """One item and its audit trail."""
        with self._store.transaction() as session:
            wanted = ReviewFilter(statuses=list(ReviewStatus), item_id=item_id)
            rows = reviews.list_items(session, wanted, limit=1)
            if not rows:
                raise ReviewStateError(f"review item {item_id} does not exist")
            trail = [
                {
                    "at": e.at,
                    "actor": e.actor,
                    "action": e.action,
                    "before": e.before,
                    "after": e.after,
                    "comment": e.comment,
                }
                for e in reviews.events(session, item_id)
            ]
            return _view(*rows[0]), trail

    def evidence(self, item_id: int) -> dict[str, Any] | None:
        """The item's bank line and source file, account numbers masked; None if it has neither."""
        with self._store.transaction() as session:
            shown = reviews.evidence(session, item_id)
        if shown is not None and "payer_account" in shown:
            shown["payer_account"] = mask_account(shown["payer_account"])
        return shown

    def assign(self, item_id: int, assignee: str, *, actor: str) -> None:
        """Give an item to a person."""
        self._change(item_id, "assign", actor, status=ReviewStatus.ASSIGNED, assignee=assignee)

    def dismiss(self, item_id: int, *, actor: str, comment: str) -> None:
        """Close an item without action (a comment saying why is required)."""
        if not comment.strip():
            raise ReviewStateError("dismissing needs a comment saying why")
        self._change(item_id, "dismiss", actor, status=ReviewStatus.DISMISSED, comment=comment)

    def resolve(self, item_id: int, *, actor: str, comment: str) -> None:
        """Close an item because what it asked for was done (say what in the comment)."""
        self._change(item_id, "resolve", actor, status=ReviewStatus.RESOLVED, comment=comment)

    def reopen(self, item_id: int, *, actor: str, comment: str | None = None) -> None:
        """Bring a closed item back to the queue.

        Reopening a resolved item frees its bank line for a new decision, through the
        money ledger (`store.ledger.release`): an application not yet sent is withdrawn,
        one the ERP has gets its reversal queued (the next application waits on it), a
        set-aside is lifted. The audit trail says which.

        Raises:
            ReviewStateError: the item is not closed, or its money cannot be released now.
        """
        self._change(
            item_id, "reopen", actor, status=ReviewStatus.OPEN, assignee=None, comment=comment
        )

    def _change(
        self,
        item_id: int,
        action: str,
        actor: str,
        *,
        status: ReviewStatus,
        comment: str | None = None,
        **fields: str | None,
    ) -> None:
        now = self._clock()
        with self._store.transaction() as session:
            row = session.get(ReviewItemRow, item_id)
            if row is None:
                raise ReviewStateError(f"review item {item_id} does not exist")
            if row.status not in _ALLOWED[action]:
                raise ReviewStateError(f"cannot {action} review item {item_id}: it is {row.status}")
            before = _state(row)
            if action == "reopen" and row.status == ReviewStatus.RESOLVED and row.bank_line_id:
                with ledger_refusals():
                    done = ledger.release(
                        session,
                        row.bank_line_id,
                        now=now,
                        why=f"item {item_id} reopened by {actor}",
                    )
                comment = f"{comment}; {done}" if comment else done
            row.status = status
            if "assignee" in fields:
                row.assignee = fields["assignee"]
            row.updated_at = now
            session.add(row)
            reviews.add_event(
                session,
                item_id,
                actor=actor,
                action=action,
                now=now,
                before=before,
                after=_state(row),
                comment=comment,
            )
