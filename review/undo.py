"""Undo of a review item's last decision while its money has not left the outbox.

An applied payment (apply, split, on account, write-off, refund credit) is withdrawn from
the outbox through the money ledger (`store.ledger.undo`), a set-aside is lifted, a
dismissal is simply taken back; the item returns to the state it had before (open, or
assigned to the same person) and the trail says what was undone. Once the ERP has the
money the answer is a correction instead (reverse and re-apply), never an undo.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from arbridge.domain.review import ReviewStatus
from arbridge.review.queue import ReviewStateError, ledger_refusals
from arbridge.store import Store, bank, ledger, payer_links, reviews
from arbridge.store.tables import PayerLinkRow, ReviewEventRow, ReviewItemRow

_CLOSED = {ReviewStatus.RESOLVED.value, ReviewStatus.DISMISSED.value}
_ACTIVE = {ReviewStatus.OPEN.value, ReviewStatus.ASSIGNED.value}


class _DryRun(Exception):
    """Rolls a trial undo back."""


class Undo:
    """Takes back the last decision on an item, or says why it cannot."""

    def __init__(
        self, store: Store, erp: str, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._store, self._erp, self._clock = store, erp, clock

    def undo(self, item_id: int, *, actor: str) -> str:
        """Undo the item's last decision; what was done, in words.

        Raises:
            ReviewStateError: the item is not closed, its last decision was a correction,
                or its money has left the outbox (correct it instead).
        """
        with self._store.transaction() as session:
            return self._undo(session, item_id, actor)

    def refusal(self, item_id: int) -> str | None:
        """Why the item's last decision cannot be undone now; None when it can."""
        try:
            with self._store.transaction() as session:
                self._undo(session, item_id, "(trial)")
                raise _DryRun
        except _DryRun:
            return None
        except ReviewStateError as exc:
            return str(exc)

    def _undo(self, session: Session, item_id: int, actor: str) -> str:
        now = self._clock()
        row = session.get(ReviewItemRow, item_id)
        if row is None:
            raise ReviewStateError(f"review item {item_id} does not exist")
        if row.status not in _CLOSED:
            raise ReviewStateError(f"item {item_id} is {row.status}: there is nothing to undo")
        last = _last_decision(session, item_id)
        if last is None or last.action == "correct":
            raise ReviewStateError(
                f"item {item_id}'s last decision was a correction: correct it again instead"
            )
        done = "nothing had been posted"
        if row.status == ReviewStatus.RESOLVED.value and row.bank_line_id is not None:
            why = f"item {item_id}: {actor} undid {last.comment or last.action}"
            with ledger_refusals():
                done = ledger.undo(
                    session, row.bank_line_id, owner=f":review{item_id}.", now=now, why=why
                )
            self._unlearn(session, row.bank_line_id, last.at)
        before = {"status": row.status, "assignee": row.assignee}
        earlier = last.before or {}
        row.status = str(earlier["status"]) if earlier.get("status") in _ACTIVE else "open"
        row.assignee = earlier.get("assignee") if row.status == "assigned" else None
        row.updated_at = now
        session.add(row)
        reviews.add_event(
            session,
            item_id,
            actor=actor,
            action="undo",
            now=now,
            before=before,
            after={"status": row.status, "assignee": row.assignee},
            comment=f"undid {last.action} ({last.comment or 'no comment'}): {done}",
        )
        return done

    def _unlearn(self, session: Session, line_id: int, at: datetime) -> None:
        """Forget a payer link that this very decision taught (one that existed stays)."""
        ((_, line),) = bank.load_lines(session, [line_id])
        kind = payer_links.ACCOUNT if line.payer_account else payer_links.ALIAS
        key = line.payer_account or line.payer_name
        if not key:
            return
        link = session.get(PayerLinkRow, (self._erp, kind, " ".join(key.split())[:300]))
        if link is not None and link.origin == "review" and link.created_at == at:
            payer_links.forget(session, self._erp, kind=kind, key=key)


def _last_decision(session: Session, item_id: int) -> ReviewEventRow | None:
    query = (
        select(ReviewEventRow)
        .where(
            ReviewEventRow.item_id == item_id,
            col(ReviewEventRow.action).in_(["resolve", "dismiss", "correct"]),
        )
        .order_by(col(ReviewEventRow.id).desc())
    )
    return session.exec(query.limit(1)).first()
