"""Push step: deliver the outbox to the ERP, each application exactly once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import structlog

from connectors.base import ErpGateway, PostOutcome
from connectors.errors import PermanentConnectorError, RecordRejectedError, TransientConnectorError
from domain.review import ReviewReason
from review import NewReviewItem, open_item
from scheduler._health import connector_failed
from scheduler._summary import RunSummary
from store import Store, postings
from store.postings import OutboxEntry

log = structlog.get_logger("arbridge.cycle")


CLAIM_BATCH = 50  # outbox entries claimed (and deliveries recorded) at a time


def push(
    store: Store,
    gateway: ErpGateway,
    summary: RunSummary,
    clock: Callable[[], datetime],
    *,
    worker: str,
    claim_lease: timedelta,
    shared: bool = False,
) -> None:
    """Post every pending application; stop at the first sign the ERP is unwell (retried next cycle).

    Entries are claimed in batches, so several daemons on one PostgreSQL store share the
    outbox without posting the same entry at once. Deliveries are recorded per batch: a
    crash between posting and recording is safe, as the next attempt posts again with
    the same idempotency key and the ERP answers ALREADY_POSTED.
    """
    while True:
        with store.transaction() as session:
            entries = postings.claim(
                session, gateway.name, worker=worker, limit=CLAIM_BATCH, now=clock(),
                lease=claim_lease, honour_claims=shared,
            )  # fmt: skip
        if not entries:
            return
        if not _push_batch(store, gateway, entries, claim_lease, summary=summary, clock=clock):
            with store.transaction() as session:
                postings.release_claims(session, worker=worker)
            return


def _push_batch(
    store: Store,
    gateway: ErpGateway,
    entries: list[OutboxEntry],
    lease: timedelta,
    *,
    summary: RunSummary,
    clock: Callable[[], datetime],
) -> bool:
    """Post one claimed batch; False when the ERP is unwell and pushing should stop."""
    delivered: list[tuple[int, str | None]] = []
    renew_at = clock() + lease / 2
    try:
        for n, entry in enumerate(entries):
            if clock() >= renew_at:  # a slow ERP: keep the rest of the batch ours (if shared)
                renew_at = clock() + lease / 2
                with store.transaction() as session:
                    postings.extend_claims(
                        session, [e.outbox_id for e in entries[n:]], until=clock() + lease
                    )
            if not _post_one(store, gateway, entry, delivered, summary=summary, clock=clock):
                return False
        return True
    finally:
        _record(store, delivered, clock)


def _record(
    store: Store, delivered: list[tuple[int, str | None]], clock: Callable[[], datetime]
) -> None:
    if delivered:
        with store.transaction() as session:
            postings.mark_all_sent(session, delivered, clock())
        delivered.clear()


def _post_one(
    store: Store,
    gateway: ErpGateway,
    entry: OutboxEntry,
    delivered: list[tuple[int, str | None]],
    *,
    summary: RunSummary,
    clock: Callable[[], datetime],
) -> bool:
    """Post one entry; False when the ERP is unwell and pushing should stop for now."""
    app = entry.application
    try:
        result = gateway.post_application(app)
    except RecordRejectedError as exc:
        _rejected(store, entry.outbox_id, app.bank_account, app.bank_id, str(exc),
                  summary=summary, clock=clock)  # fmt: skip
        return True
    except TransientConnectorError as exc:
        _failed(store, entry.outbox_id, str(exc), summary)
        summary.error(f"posting {app.bank_id} will be retried: {exc}")
        log.warning("payment_post_deferred", bank_id=app.bank_id, error=str(exc))
        return False
    except PermanentConnectorError as exc:
        _failed(store, entry.outbox_id, str(exc), summary)
        connector_failed(store, gateway.name, str(exc), summary, clock, role="erp")
        return False
    delivered.append((entry.outbox_id, result.erp_reference))
    summary.add("posted" if result.outcome is PostOutcome.POSTED else "already_posted")
    log.info(
        "payment_applied", connector=gateway.name, bank_id=app.bank_id,
        customer_id=app.customer_id, invoices=[a.invoice_id for a in app.allocations],
        amount=str(app.amount), outcome=result.outcome.value,
    )  # fmt: skip
    return True


def _failed(store: Store, outbox_id: int, error: str, summary: RunSummary) -> None:
    with store.transaction() as session:
        postings.record_failure(session, outbox_id, error, rejected=False)
    summary.add("post_failed")


def _rejected(
    store: Store,
    outbox_id: int,
    account: str,
    bank_id: str,
    error: str,
    *,
    summary: RunSummary,
    clock: Callable[[], datetime],
) -> None:
    now = clock()
    item = NewReviewItem(
        dedupe_key=f"rejected:{account}:{bank_id}",
        reason=ReviewReason.POSTING_REJECTED.value,
        message=f"the ERP refused the application of bank line {bank_id}: {error}",
    )
    with store.transaction() as session:
        postings.record_failure(session, outbox_id, error, rejected=True)
        opened = open_item(session, item, now=now)
    summary.add("post_failed")
    summary.error(f"ERP rejected {bank_id}: {error}")
    log.warning("payment_rejected", bank_id=bank_id, error=error)
    if opened is not None:
        summary.add("queued")
