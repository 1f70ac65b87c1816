"""Push step: deliver the outbox to the ERP, each application exactly once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import structlog

from connectors.base import ErpGateway, PostOutcome
from connectors.errors import PermanentConnectorError, RecordRejectedError, TransientConnectorError
from domain.review import ReviewReason
from review import NewReviewItem, open_item
from scheduler._pull import connector_failed
from scheduler._summary import RunSummary
from store import Store, postings

log = structlog.get_logger("arbridge.cycle")


def push(
    store: Store, gateway: ErpGateway, summary: RunSummary, clock: Callable[[], datetime]
) -> None:
    """Post every pending application; stop at the first sign the ERP is unwell (retried next cycle)."""
    with store.transaction() as session:
        entries = list(postings.pending(session, gateway.name))
    for entry in entries:
        app = entry.application
        try:
            result = gateway.post_application(app)
        except RecordRejectedError as exc:
            _rejected(
                store,
                entry.outbox_id,
                app.bank_account,
                app.bank_id,
                str(exc),
                summary=summary,
                clock=clock,
            )
            continue
        except TransientConnectorError as exc:
            with store.transaction() as session:
                postings.record_failure(session, entry.outbox_id, str(exc), rejected=False)
            summary.add("post_failed")
            summary.error(f"posting {app.bank_id} will be retried: {exc}")
            log.warning("payment_post_deferred", bank_id=app.bank_id, error=str(exc))
            return
        except PermanentConnectorError as exc:
            with store.transaction() as session:
                postings.record_failure(session, entry.outbox_id, str(exc), rejected=False)
            summary.add("post_failed")
            connector_failed(store, gateway.name, str(exc), summary, clock)
            return
        with store.transaction() as session:
            postings.mark_sent(session, entry.outbox_id, result.erp_reference, clock())
        summary.add("posted" if result.outcome is PostOutcome.POSTED else "already_posted")
        log.info(
            "payment_applied",
            connector=gateway.name,
            bank_id=app.bank_id,
            customer_id=app.customer_id,
            invoices=[a.invoice_id for a in app.allocations],
            amount=str(app.amount),
            outcome=result.outcome.value,
        )


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
