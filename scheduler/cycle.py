"""One full cycle: pull bank and ERP, match, store decisions, push the outbox, record the run."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog
from apscheduler.triggers.base import BaseTrigger

from arbridge.connectors.base import BankSource, ErpCapability, ErpGateway, PostedPaymentReader
from arbridge.connectors.errors import ConnectorError
from arbridge.connectors.settlement_base import SettlementSource
from arbridge.deposits.recognise import DepositRules
from arbridge.matching import MatchSettings
from arbridge.scheduler._book import Book
from arbridge.scheduler._decide import decide
from arbridge.scheduler._decide_shared import DECIDE_CHUNK, SharedDecide
from arbridge.scheduler._deposits import settle_deposits
from arbridge.scheduler._health import connector_failed
from arbridge.scheduler._payouts import PayoutRules, decide_payouts, pull_settlements
from arbridge.scheduler._pull import Snapshot, pull_bank
from arbridge.scheduler._push import push
from arbridge.scheduler._recorded import pull_payments
from arbridge.scheduler._returns import settle_returns
from arbridge.scheduler._reuse import pull_or_reuse
from arbridge.scheduler._summary import RunSummary
from arbridge.scheduler.ar_health import ArDeps, run_ar_step
from arbridge.scheduler.tax import TaxCheckDeps, run_tax_step
from arbridge.store import Store, StoreUnavailableError, runs

log = structlog.get_logger("arbridge.cycle")

SOLO_BATCH = 2000
"""Outbox entries per claim when this daemon holds the store alone: no one to share with,
and each claim and delivery record is a round of statements (crash-safe at any size:
a batch posted but not recorded is posted again under the same idempotency keys)."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True, slots=True, kw_only=True)
class CycleDeps:
    """Everything a cycle works with, built by the composition root."""

    store: Store
    bank_sources: Sequence[BankSource]
    erp: ErpGateway
    match_settings: MatchSettings = field(default_factory=MatchSettings)
    clock: Callable[[], datetime] = _utcnow
    worker: str = field(default_factory=_worker_name)
    claim_lease: timedelta = timedelta(seconds=60)
    claim_batch: int = 200
    shared: bool = False  # several daemons on this store (else this one holds its lease)
    decide_chunk: int = DECIDE_CHUNK
    """With `shared`, at most this many lines are decided per transaction."""
    snapshot_reuse: timedelta | None = None
    """With `shared`, reuse an ERP snapshot another daemon read at most this long ago."""
    pull_triggers: Mapping[str, BaseTrigger] = field(default_factory=dict)
    tax: TaxCheckDeps | None = None
    settlement_sources: Sequence[SettlementSource] = ()
    payout_rules: PayoutRules | None = None
    ar: ArDeps | None = None
    payments: PostedPaymentReader | None = None
    """The ERP's record of payments already posted there (None: not read)."""
    retry_sleep: Callable[[float], None] = time.sleep
    """How the push waits before trying a failed entry again (virtual in tests and benches)."""
    deposits: DepositRules | None = None
    """Recognise deposits and hold them for their final invoice (None: not looked for)."""
    book: Book | None = None
    """The ERP's records and the engine's indexes kept between a daemon's cycles (None: not kept)."""


def run_cycle(deps: CycleDeps) -> RunSummary:
    """Run one cycle and return its summary.

    Problems with one file or connector are recorded and the cycle goes on;
    only a store that cannot be used stops it (StoreUnavailableError propagates).
    """
    summary = RunSummary(run_id=str(uuid.uuid4()))
    with structlog.contextvars.bound_contextvars(run_id=summary.run_id):
        with summary.timed("cycle"):
            _steps(deps, summary)
        seconds = {phase: round(spent, 3) for phase, spent in summary.seconds.items()}
        with deps.store.transaction() as session:
            runs.finish_run(
                session,
                summary.run_id,
                status=summary.status,
                counts=summary.counts,
                errors=summary.errors,
                now=deps.clock(),
                seconds=seconds,
            )
        log.info("cycle_finished", status=summary.status, seconds=seconds, **dict(summary.counts))
    return summary


def _steps(deps: CycleDeps, summary: RunSummary) -> None:
    """Pull, decide, push (and check tax), each step timed in `summary.seconds`."""
    with deps.store.transaction() as session:
        runs.start_run(session, summary.run_id, deps.clock())
    log.info("cycle_started")
    with summary.timed("bank"):
        pull_bank(deps.store, deps.bank_sources, summary, deps.clock, deps.pull_triggers)
    if deps.settlement_sources:
        with summary.timed("settlements"):
            pull_settlements(deps.store, deps.settlement_sources, summary, deps.clock)
    with summary.timed("erp"):
        snapshot = pull_or_reuse(
            deps.store,
            deps.erp,
            summary,
            deps.clock,
            deps.pull_triggers,
            max_age=deps.snapshot_reuse if deps.shared else None,
            book=deps.book,
        )
    if snapshot is None:
        return
    recorded = deps.payments is not None
    if deps.payments is not None:
        with summary.timed("erp_payments"):
            pulled = pull_payments(deps.store, deps.payments, summary, deps.clock)
    if not recorded or pulled:  # never decide blind to what people already posted
        with summary.timed("decide"):
            _decide(deps, snapshot, summary, recorded=recorded)
        with summary.timed("returns"):
            settle_returns(deps.store, deps.erp.name, summary=summary, clock=deps.clock)
        if deps.deposits is not None:
            with summary.timed("deposits"), _reading_erp(deps, snapshot, summary):
                settle_deposits(
                    deps.store,
                    deps.erp.name,
                    snapshot,
                    deps.deposits,
                    summary=summary,
                    clock=deps.clock,
                )
    with summary.timed("push"):
        push(
            deps.store,
            deps.erp,
            summary,
            deps.clock,
            worker=deps.worker,
            claim_lease=deps.claim_lease,
            shared=deps.shared,
            batch=deps.claim_batch if deps.shared else max(deps.claim_batch, SOLO_BATCH),
            sleep=deps.retry_sleep,
        )
    if deps.tax is not None:
        with summary.timed("tax"):
            snap = None
            with _reading_erp(deps, snapshot, summary):
                snap = (snapshot.customers, snapshot.invoices)
            if snap is not None:
                run_tax_step(deps.store, deps.tax, snap, summary, deps.clock)
    if deps.ar is not None:
        with summary.timed("ar"):
            _ar_step(deps, deps.ar, summary)


@contextmanager
def _reading_erp(deps: CycleDeps, snapshot: Snapshot, summary: RunSummary) -> Iterator[None]:
    """A step that may fetch the ERP's records now (an unchanged export is read lazily).

    A read that fails is recorded as the ERP connector's failure (once per cycle: a later
    step asking for the same records gets the same error) and the cycle goes on.
    """
    reported = snapshot.failed
    try:
        yield
    except ConnectorError as exc:
        if not reported:
            connector_failed(deps.store, deps.erp.name, str(exc), summary, deps.clock, role="erp")


def _decide(deps: CycleDeps, snapshot: Snapshot, summary: RunSummary, *, recorded: bool) -> None:
    """Payouts, then every pending line; an unchanged ERP is fetched only here, if needed."""
    with _reading_erp(deps, snapshot, summary):
        if deps.payout_rules is not None:
            decide_payouts(
                deps.store,
                deps.erp.name,
                snapshot,
                deps.match_settings,
                deps.payout_rules,
                summary=summary,
                clock=deps.clock,
            )
        by_hand = ErpCapability.REVERSE_RECORDED not in deps.erp.capabilities
        if deps.shared:  # several daemons: partitions in bounded chunks
            SharedDecide(
                store=deps.store,
                erp_name=deps.erp.name,
                snapshot=snapshot,
                settings=deps.match_settings,
                summary=summary,
                clock=deps.clock,
                deposits=deps.deposits,
                worker=deps.worker,
                chunk=deps.decide_chunk,
            ).run(recorded=recorded, by_hand=by_hand)
            return
        decide(
            deps.store,
            deps.erp.name,
            snapshot,
            deps.match_settings,
            summary=summary,
            clock=deps.clock,
            recorded=recorded,
            deposits=deps.deposits,
            by_hand=by_hand,
        )


def _ar_step(deps: CycleDeps, ar: ArDeps, summary: RunSummary) -> None:
    """Receivables reporting never stops the cycle that moves the cash."""
    try:
        run_ar_step(deps.store, deps.erp.name, ar, summary, deps.clock)
    except StoreUnavailableError:
        raise
    except Exception as exc:  # a report that failed is a problem of this cycle, not its end
        log.exception("ar_step_failed")
        summary.error(f"receivables KPIs not stored: {exc}")
