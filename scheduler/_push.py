"""Push step: deliver the outbox to the ERP, each application exactly once."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import cast

import structlog

from arbridge.connectors.base import (
    BatchPoster,
    ErpCapability,
    ErpGateway,
    PostedLedger,
    PostedRecord,
    PostOutcome,
    PostResult,
    RecordedPaymentReverser,
)
from arbridge.connectors.errors import (
    CapabilityMissingError,
    ConnectorError,
    PermanentConnectorError,
    RecordNotFoundError,
    RecordRejectedError,
)
from arbridge.domain.review import ReviewReason
from arbridge.review import NewReviewItem, open_item
from arbridge.scheduler._health import connector_failed
from arbridge.scheduler._summary import RunSummary
from arbridge.store import Store, postings
from arbridge.store.postings import OutboxEntry

LOGGED_INVOICES = 20
"""A payout may pay thousands of invoices; the log names the first few and counts them all."""
log = structlog.get_logger("arbridge.cycle")


CLAIM_BATCH = 200  # outbox entries claimed (and deliveries recorded) at a time
POST_CHUNK = 25  # applications per call to a batching ERP that names no `batch_size`
UNWELL_AFTER = 5
"""Transient failures in a row that mean the ERP itself is down: stop pushing this cycle."""
RETRY_ROUNDS = 3
"""Times a batch's failed entries are tried again (after the others) within one cycle."""
MISSING_TRIES = 3
"""Cycles an application naming an invoice the ERP does not show is tried before review."""
RETRY_WAIT, RETRY_WAIT_CAP = 2.0, 30.0
"""Seconds before the first retry round; doubled each round, capped."""


@dataclass
class _Pushing:
    """One cycle's push: where it is, and how the ERP has been answering."""

    summary: RunSummary
    clock: Callable[[], datetime]
    sleep: Callable[[float], None]
    in_a_row: int = 0
    last_failure: object = None
    """The error last counted: one failed call shared by a chunk counts once."""
    deferred: list[tuple[OutboxEntry, ConnectorError]] = field(default_factory=list)

    def unwell(self) -> bool:
        return self.in_a_row >= UNWELL_AFTER


def push(
    store: Store,
    gateway: ErpGateway,
    summary: RunSummary,
    clock: Callable[[], datetime],
    *,
    worker: str,
    claim_lease: timedelta,
    shared: bool = False,
    batch: int = CLAIM_BATCH,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Post every pending application; an entry that fails is retried after the others.

    A failed call defers only its own entry: the batch goes on, and its failed entries
    are tried again after it (backing off between rounds); what still fails waits for
    the next cycle. Pushing stops for the cycle only when the ERP is unwell: a
    permanent error, or `UNWELL_AFTER` transient failures in a row.

    Entries are claimed in batches, so several daemons on one PostgreSQL store share the
    outbox without posting the same entry at once. Deliveries are recorded per batch: a
    crash between posting and recording is safe, as the next attempt posts again with
    the same idempotency key and the ERP answers ALREADY_POSTED.
    """
    state = _Pushing(summary, clock, sleep)
    after = 0
    with _erp_session(gateway):  # one login for the whole push where the ERP has sessions
        while True:
            with store.transaction() as session:
                entries = postings.claim(
                    session,
                    gateway.name,
                    worker=worker,
                    limit=batch,
                    now=clock(),
                    lease=claim_lease,
                    honour_claims=shared,
                    after=after,
                )
            if not entries:  # done: what failed is given back for the next cycle (or a person)
                with store.transaction() as session:
                    postings.release_claims(session, worker=worker)
                return
            after = entries[-1].outbox_id
            well = _push_batch(store, gateway, entries, claim_lease, state)
            if well:
                well = _retry_deferred(store, gateway, claim_lease, state)
            _give_up_deferred(store, state)
            if not well:
                with store.transaction() as session:
                    postings.release_claims(session, worker=worker)
                return


def _erp_session(gateway: ErpGateway) -> AbstractContextManager[object]:
    """The gateway's `session()` scope if it has one (a login shared by every call), else none."""
    session = getattr(gateway, "session", None)
    return session() if callable(session) else nullcontext()


def _retry_deferred(store: Store, gateway: ErpGateway, lease: timedelta, state: _Pushing) -> bool:
    """Try the batch's failed entries again, backing off between rounds."""
    for round_ in range(RETRY_ROUNDS):
        if not state.deferred:
            return True
        state.sleep(min(RETRY_WAIT * 2**round_, RETRY_WAIT_CAP))
        again = [entry for entry, _error in state.deferred]
        state.deferred.clear()
        if not _push_batch(store, gateway, again, lease, state):
            return False
    return True


def _give_up_deferred(store: Store, state: _Pushing) -> None:
    """Entries still failing wait for the next cycle; their error is recorded."""
    for entry, error in state.deferred:
        _failed(store, entry.outbox_id, str(error), state.summary)
        state.summary.error(
            f"posting {entry.application.bank_id} will be retried: {error}", kind="post_retry"
        )
        log.warning("payment_post_deferred", bank_id=entry.application.bank_id, error=str(error))
    state.deferred.clear()


def _push_batch(
    store: Store,
    gateway: ErpGateway,
    entries: list[OutboxEntry],
    lease: timedelta,
    state: _Pushing,
) -> bool:
    """Post one claimed batch; False when the ERP is unwell and pushing should stop."""
    clock, summary = state.clock, state.summary
    delivered: list[tuple[int, str | None]] = []
    renew_at = clock() + lease / 2
    step = _step(gateway)
    try:
        for start in range(0, len(entries), step):
            if clock() >= renew_at:  # a slow ERP: keep the rest of the batch ours (if shared)
                renew_at = clock() + lease / 2
                with store.transaction() as session:
                    rest = [e.outbox_id for e in entries[start:]]
                    postings.extend_claims(session, rest, until=clock() + lease)
            chunk = entries[start : start + step]
            with summary.timed("push_erp"):
                outcomes = _attempt(gateway, chunk)
            for entry, outcome in zip(chunk, outcomes, strict=False):
                if not _settle(store, gateway, entry, outcome, delivered=delivered, state=state):
                    return False
        return True
    finally:
        _record(store, delivered, clock)


def _step(gateway: ErpGateway) -> int:
    """Applications per call: the gateway's own batch size where it names one."""
    if not _batches(gateway):
        return 1
    size = getattr(gateway, "batch_size", POST_CHUNK)
    return size if isinstance(size, int) and size > 0 else POST_CHUNK


def _batches(gateway: ErpGateway) -> bool:
    return ErpCapability.BATCH in gateway.capabilities and hasattr(gateway, "post_applications")


def _attempt(gateway: ErpGateway, chunk: list[OutboxEntry]) -> list[PostResult | ConnectorError]:
    """Post a chunk: one call for a batching ERP, else one call each (stopping at trouble)."""
    if len(chunk) > 1 and _batches(gateway) and not any(e.reverses is not None for e in chunk):
        apps = [e.application for e in chunk]
        return list(cast("BatchPoster", gateway).post_applications(apps))
    outcomes: list[PostResult | ConnectorError] = []
    for entry in chunk:
        try:
            outcomes.append(_post_one(gateway, entry))
        except RecordRejectedError as exc:
            outcomes.append(exc)
        except PermanentConnectorError as exc:
            outcomes.append(exc)
            break
        except ConnectorError as exc:
            outcomes.append(exc)
    return outcomes


def _post_one(gateway: ErpGateway, entry: OutboxEntry) -> PostResult:
    """Post an application, or undo one (a reversal); an ERP that cannot undo refuses it.

    The application handed to `reverse_application` carries the undone allocations under
    the reversal's own idempotency key, so an ERP deduplicating by key sees one request
    per reversal however often it is retried.
    """
    if entry.reverses is None:
        return gateway.post_application(entry.application)
    if entry.recorded:
        return _reverse_recorded(gateway, entry)
    if ErpCapability.REVERSE not in gateway.capabilities:
        raise RecordRejectedError(gateway.name, "this ERP cannot reverse an application")
    if not entry.reverses:
        raise RecordRejectedError(gateway.name, "the application has no ERP reference")
    try:
        return gateway.reverse_application(entry.application, entry.reverses)
    except CapabilityMissingError as exc:
        raise RecordRejectedError(gateway.name, exc.message) from exc


def _reverse_recorded(gateway: ErpGateway, entry: OutboxEntry) -> PostResult:
    """Undo a payment a person recorded; an ERP that cannot is a guided manual fix."""
    payment = entry.reverses or ""
    can = ErpCapability.REVERSE_RECORDED in gateway.capabilities
    if not can or not isinstance(gateway, RecordedPaymentReverser):
        raise RecordRejectedError(
            gateway.name,
            f"this ERP cannot reverse payment {payment} through its API: correct it in the "
            "ERP by hand (unapply or void the payment, then apply it as this item suggests)",
        )
    return gateway.reverse_recorded_payment(entry.application, payment)


def _record(
    store: Store, delivered: list[tuple[int, str | None]], clock: Callable[[], datetime]
) -> None:
    if delivered:
        with store.transaction() as session:
            postings.mark_all_sent(session, delivered, clock())
        delivered.clear()


def _settle(
    store: Store,
    gateway: ErpGateway,
    entry: OutboxEntry,
    outcome: PostResult | ConnectorError,
    *,
    delivered: list[tuple[int, str | None]],
    state: _Pushing,
) -> bool:
    """Record what posting one entry did; False when the ERP is unwell and pushing should stop."""
    app, summary = entry.application, state.summary
    if isinstance(outcome, RecordRejectedError):
        state.in_a_row = 0
        try:
            held = held_by_erp(gateway, entry)
        except ConnectorError as exc:  # cannot tell whether it reached the ERP: retry later
            _failed(store, entry.outbox_id, f"{outcome}; and then: {exc}", summary)
            return False
        if held is None:
            _rejected(store, entry, str(outcome), summary=summary, clock=state.clock)
            return True
        outcome = _read_back(store, entry, held, str(outcome), summary=summary, clock=state.clock)
    if isinstance(outcome, RecordNotFoundError):
        return _missing(store, entry, outcome, state)
    if isinstance(outcome, PermanentConnectorError):
        _failed(store, entry.outbox_id, str(outcome), summary)
        connector_failed(store, gateway.name, str(outcome), summary, state.clock, role="erp")
        return False
    if isinstance(outcome, ConnectorError):  # transient: nothing or all was posted
        if outcome is not state.last_failure:
            state.in_a_row, state.last_failure = state.in_a_row + 1, outcome
        state.deferred.append((entry, outcome))
        log.info("payment_post_failed_once", bank_id=app.bank_id, error=str(outcome))
        return not state.unwell()
    state.in_a_row = 0
    result = outcome
    delivered.append((entry.outbox_id, result.erp_reference))
    summary.add("posted" if result.outcome is PostOutcome.POSTED else "already_posted")
    log.info(
        "payment_applied" if entry.reverses is None else "application_reversed",
        connector=gateway.name,
        bank_id=app.bank_id,
        customer_id=app.customer_id,
        invoices=[a.invoice_id for a in app.allocations[:LOGGED_INVOICES]],
        invoice_count=len(app.allocations),
        amount=str(app.amount),
        outcome=result.outcome.value,
    )
    return True


def _missing(store: Store, entry: OutboxEntry, error: ConnectorError, state: _Pushing) -> bool:
    """A record it names is not in the ERP: try again next cycle, then hand it to a person."""
    if entry.attempts + 1 >= MISSING_TRIES:
        message = f"{error} (still missing after {MISSING_TRIES} cycles)"
        _rejected(store, entry, message, summary=state.summary, clock=state.clock)
    else:
        _failed(store, entry.outbox_id, str(error), state.summary)
        log.info("payment_waits_for_record", bank_id=entry.application.bank_id, error=str(error))
    return True


def held_by_erp(gateway: ErpGateway, entry: OutboxEntry) -> list[PostedRecord] | None:
    """What the ERP holds under the entry's key, for an ERP that can say (else None).

    Money that reached the ERP is never recorded as rejected: a refusal of a retry
    whose first attempt was posted (its answer lost), or of an application the ERP
    posted in part, is read back here.

    Raises:
        ConnectorError: the ERP could not be read.
    """
    if entry.reverses is not None or not isinstance(gateway, PostedLedger):
        return None
    key = entry.application.idempotency_key
    return list(gateway.find_posted([key])) or None


def _read_back(
    store: Store,
    entry: OutboxEntry,
    held: list[PostedRecord],
    error: str,
    *,
    summary: RunSummary,
    clock: Callable[[], datetime],
) -> PostResult:
    """Record a refused application the ERP holds (all or part of it) as sent, saying so."""
    app = entry.application
    cash = sum((r.amount for r in held), Decimal(0))
    log.warning("payment_refused_but_held", bank_id=app.bank_id, held=str(cash), error=error)
    if cash != app.amount:
        item = NewReviewItem(
            dedupe_key=f"partial:{app.idempotency_key}",
            reason=ReviewReason.POSTING_REJECTED.value,
            message=f"the ERP refused part of the application of bank line {app.bank_id} "
            f"({error}) but holds {cash} of {app.amount} under {app.idempotency_key}; "
            "what it holds is recorded as posted: correct the rest from this item",
            bank_line_id=entry.bank_line_id or None,
            amount=app.amount,
            customer_id=app.customer_id,
        )
        with store.transaction() as session:
            if open_item(session, item, now=clock()) is not None:
                summary.add("queued")
    return PostResult(outcome=PostOutcome.ALREADY_POSTED, erp_reference=held[0].erp_reference)


def _failed(store: Store, outbox_id: int, error: str, summary: RunSummary) -> None:
    with store.transaction() as session:
        postings.record_failure(session, outbox_id, error, rejected=False)
    summary.add("post_failed")


def _rejected(
    store: Store,
    entry: OutboxEntry,
    error: str,
    *,
    summary: RunSummary,
    clock: Callable[[], datetime],
) -> None:
    now = clock()
    bank_id = entry.application.bank_id
    item = _rejection_item(entry, error)
    with store.transaction() as session:
        postings.record_failure(session, entry.outbox_id, error, rejected=True)
        opened = open_item(session, item, now=now)
    summary.add("post_failed")
    summary.error(f"ERP rejected {bank_id}: {error}", kind="erp_rejected")
    log.warning("payment_rejected", bank_id=bank_id, error=error)
    if opened is not None:
        summary.add("queued")


def _rejection_item(entry: OutboxEntry, error: str) -> NewReviewItem:
    """The posting_rejected item; a correction's names its step and carries the bank line."""
    app = entry.application
    if not entry.is_correction:
        return NewReviewItem(
            dedupe_key=f"rejected:{app.bank_account}:{app.bank_id}",
            reason=ReviewReason.POSTING_REJECTED.value,
            message=f"the ERP refused the application of bank line {app.bank_id}: {error}",
        )
    if entry.recorded:
        message = (
            f"the correction of bank line {app.bank_id} was not made: the ERP did not reverse "
            f"payment {entry.reverses} ({error}); that payment stands as recorded and the "
            "re-application was not posted"
        )
    elif entry.reverses is not None:
        message = (
            f"the correction of bank line {app.bank_id} was not made: the ERP could not reverse "
            f"its application ({error}); the original application stands and the "
            "re-application was not posted"
        )
    else:
        message = (
            f"the correction of bank line {app.bank_id} is half done: its application was "
            f"reversed but the ERP refused the re-application {app.idempotency_key} ({error}); "
            "the payment is unapplied: apply it from this item"
        )
    return NewReviewItem(
        dedupe_key=f"rejected:{app.idempotency_key}",
        reason=ReviewReason.POSTING_REJECTED.value,
        message=message,
        bank_line_id=entry.bank_line_id or None,
        amount=app.amount,
        customer_id=app.customer_id,
    )
