"""Correcting a misapplication: reverse the posted application, then re-apply the cash.

Both steps are queued in the caller's transaction as two outbox entries with stable keys
(`<root>:reverse:<n>`, `<root>:reapply:<n>`). The re-application's entry *waits on* the
reversal's (`outbox.after_id`): the daemon does not claim it until the reversal is sent,
and if the ERP refuses (or cannot do) the reversal, the waiting entry is rejected with it
and a `posting_rejected` item says why. So the ERP gets both, in order, each once, or
neither; nothing is held outside the outbox.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session

from arbridge.review import corrections as fixes
from arbridge.review import resolution_steps as steps
from arbridge.review.queue import ledger_refusals
from arbridge.store import bank, ledger
from arbridge.store.postings import NewApplication


def correct(
    session: Session,
    erp: str,
    target: int | str,
    allocations: Sequence[tuple[str, Decimal]],
    *,
    actor: str,
    reason: str,
    now: datetime,
) -> tuple[str, str]:
    """Queue the reversal of `target`'s posted application and the re-application.

    Returns:
        The reversal's and the re-application's idempotency keys.

    Raises:
        ReviewStateError: nothing (or several things) posted to correct; the line still
            has something waiting for the ERP; the amounts are wrong.
    """
    undo, row = fixes.find(session, erp, target)
    ((line_id, line),) = bank.load_lines(session, [undo.bank_line_id])
    if row is None:
        row = fixes.item_for(session, line_id, line.bank_id, undo, actor=actor, now=now)
    owners = steps.owners(session, erp, [invoice for invoice, _ in allocations])
    reverse_key, reapply_key = fixes.keys(undo, session)
    reapply = steps.application(row, line, allocations, owners, reapply_key)
    reversal = dataclasses.replace(undo.application, idempotency_key=reverse_key)
    why = f"correction by {actor}: {reason.strip()}"
    chain = [
        NewApplication(
            bank_line_id=line_id,
            application=reversal,
            confidence=1.0,
            explanation=why,
            origin="review",
            reverses_id=undo.application_id,
        ),
        NewApplication(
            bank_line_id=line_id,
            application=reapply,
            confidence=1.0,
            explanation=why,
            origin="review",
            after=0,
        ),
    ]
    with ledger_refusals():
        ledger.admit(session, erp, chain, run_id=None, now=now)
    bank.set_statuses(session, [(line_id, "applied", f"corrected by {actor}")])
    fixes.record(
        session, row, actor=actor, now=now, before=undo.application, after=reapply, reason=reason
    )
    steps.learn(session, erp, line, reapply.customer_id, now=now, actor=actor)
    return reverse_key, reapply_key
