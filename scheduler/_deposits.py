"""Deposit step of the cycle: held deposits go to their order's final invoice, or to a person.

Runs after `decide` and before `push`, so an application made here is posted in the same
cycle. It goes through the review queue's own `Resolver.apply` (the money ledger, the
outbox, the item closed by `arbridge`), so it is checked and posted exactly once like a
clerk's; a refusal leaves the deposit held and says why in the log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import structlog

from arbridge.deposits.final import steps
from arbridge.deposits.recognise import DepositRules
from arbridge.review.deposit_items import held_on, queue_actionable
from arbridge.review.queue import SYSTEM_ACTOR, ReviewStateError
from arbridge.review.resolutions import Resolver
from arbridge.scheduler._decide import net_of
from arbridge.scheduler._pull import Snapshot
from arbridge.scheduler._summary import RunSummary
from arbridge.store import Store, deposit_holds, postings

log = structlog.get_logger("arbridge.cycle")


def settle_deposits(
    store: Store,
    erp_name: str,
    snapshot: Snapshot,
    rules: DepositRules,
    *,
    summary: RunSummary,
    clock: Callable[[], datetime],
) -> None:
    """Apply each held deposit that one final invoice takes; ask about the rest.

    Then the deposit check: a review item for each paid deposit invoice whose final
    invoice is out or that waited past `rules.wait_days`, and each retainage whose
    completion invoice is out (once per status).
    """
    _settle_held(store, erp_name, snapshot, summary=summary, clock=clock)
    now = clock()
    rows = held_on(store, erp_name, now.date(), rules.wait_days)
    opened = queue_actionable(store, erp_name, rows, now)
    if opened:
        summary.add("deposit_items", opened)


def _settle_held(
    store: Store,
    erp_name: str,
    snapshot: Snapshot,
    *,
    summary: RunSummary,
    clock: Callable[[], datetime],
) -> None:
    with store.transaction() as session:
        rows = deposit_holds.held(session)
        if not rows:
            return
        unsent = postings.unsent_by_invoice(session, erp_name, sent_after=snapshot.taken_at)
    held = [r for r in rows if r.order_ref]
    resolver = Resolver(store, erp_name, clock)
    for step in steps(held, net_of(snapshot.invoices, unsent)):
        if step.invoice_id is None:
            with store.transaction() as session:
                asked = deposit_holds.ask(
                    session, step.item_id, why=step.why, candidates=step.candidates, now=clock()
                )
            if asked:
                summary.add("deposits_to_choose")
            continue
        amount = next(h.amount for h in held if h.item_id == step.item_id)
        try:
            resolver.apply(step.item_id, [(step.invoice_id, amount)], actor=SYSTEM_ACTOR)
        except ReviewStateError as exc:
            log.warning("deposit_not_applied", item_id=step.item_id, why=str(exc))
            continue
        summary.add("deposits_applied")
        log.info("deposit_applied", item_id=step.item_id, invoice_id=step.invoice_id)
