"""Decide with several daemons on one store: bounded chunks, one partition lock each.

The pending lines are matched once on a moment's view of the book to plan which
partition each belongs to (`arbridge.scheduler.partitions`). Then each chunk is decided
in its own transaction holding its partitions' locks, which the daemon takes if free
and skips if not (another daemon is deciding them): under the locks the lines are
claimed row by row (`FOR UPDATE SKIP LOCKED`), matched again on the book as it is now,
and an application that would spend an invoice outside the partitions held is not
written but deferred to the remainder. The remainder is decided last, in chunks, under
the exclusive lock that excludes every partition. The money ledger checks every
application as before (I1 to I5), in the transaction that writes it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import structlog
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from arbridge.deposits.recognise import DepositRules, recognise
from arbridge.domain.records import BankLine, Proposal
from arbridge.matching import MatchSettings, match_lines
from arbridge.scheduler import partitions
from arbridge.scheduler._decide import _Batch, _learn_accounts, load_context
from arbridge.scheduler._pull import Snapshot
from arbridge.scheduler._recorded import settle_recorded
from arbridge.scheduler._summary import RunSummary
from arbridge.store import Store, bank, locks

log = structlog.get_logger("arbridge.cycle")

DECIDE_CHUNK = 500
"""Lines decided per transaction when daemons share the store (`store.decide_chunk`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SharedDecide:
    """One daemon's share of deciding the pending lines."""

    store: Store
    erp_name: str
    snapshot: Snapshot
    settings: MatchSettings
    summary: RunSummary
    clock: Callable[[], datetime]
    deposits: DepositRules | None
    worker: str
    chunk: int = DECIDE_CHUNK

    def run(self, *, recorded: bool, by_hand: bool) -> None:
        """Plan, decide the partitions this daemon can lock, then the remainder if free."""
        lines = self._pending(recorded=recorded, by_hand=by_hand)
        if not lines:
            return
        by_id = dict(lines)
        with self.summary.timed("decide_plan"):
            with self.store.transaction() as session:
                context = load_context(session, self.erp_name, self.snapshot)
            proposals = match_lines([line for _, line in lines], context, self.settings)
            ids = {(line.account, line.bank_id): i for i, line in lines}
            the_plan = partitions.plan(
                [(ids[(p.line.account, p.line.bank_id)], p) for p in proposals]
            )
        for chunk in the_plan.chunks(self.chunk, partitions.start_for(self.worker)):
            done = self._decide(by_id, chunk)
            the_plan.remainder.extend(done.deferred)
        for piece in the_plan.remainder_chunks(self.chunk):
            if not self._decide(by_id, None, piece).locked:
                break  # another daemon decides the remainder (or partitions): its turn

    def _pending(self, *, recorded: bool, by_hand: bool) -> list[tuple[int, BankLine]]:
        """The pending lines; with `recorded`, those the ERP records are set aside first.

        Setting them aside matches against payments of any customer, so it holds the
        remainder lock exclusively (waiting for it), as the whole of decide did.
        """
        with self.store.transaction() as session:
            if recorded:
                with self.summary.timed("decide_lock"):
                    self.store.serialize(session, locks.REMAINDER)
            lines = bank.load_pending(session)
            if not recorded or not lines:
                return lines
            context = load_context(session, self.erp_name, self.snapshot)
            with self.summary.timed("recorded"):
                taken = settle_recorded(
                    session,
                    self.erp_name,
                    lines,
                    context,
                    self.settings,
                    summary=self.summary,
                    now=self.clock(),
                    by_hand=by_hand,
                )
        return [(i, line) for i, line in lines if i not in taken]

    def _decide(
        self,
        by_id: dict[int, BankLine],
        chunk: partitions.Chunk | None,
        remainder: Sequence[int] = (),
    ) -> _Done:
        """Decide a chunk (or, with None, these lines of the remainder) in one transaction.

        Lines of partitions another daemon holds are left to it, as are lines another
        transaction holds or has decided since the plan.
        """
        with self.store.transaction() as session:
            with self.summary.timed("decide_lock"):
                if chunk is None:
                    held = None if locks.try_remainder(session) else frozenset[int]()
                    wanted = list(remainder) if held is None else []
                else:
                    held = frozenset(locks.try_partitions(session, chunk.partitions))
                    wanted = chunk.held(held)
                if not wanted:
                    return _Done(locked=False)
                claimed = locks.claim_pending(session, wanted)
            mine = [(i, by_id[i]) for i in wanted if i in claimed]
            if not mine:
                return _Done(locked=True)
            return _Done(locked=True, deferred=self._write(session, mine, held))

    def _write(
        self,
        session: Session,
        lines: Sequence[tuple[int, BankLine]],
        held: frozenset[int] | None,
    ) -> list[int]:
        with self.summary.timed("decide_load"):
            context = load_context(session, self.erp_name, self.snapshot)
        with self.summary.timed("match"):
            proposals = match_lines([line for _, line in lines], context, self.settings)
            kept: dict[tuple[str, str], str] = {}
            if self.deposits is not None:
                proposals, kept = recognise(proposals, context.invoices, self.deposits)
        ids = {(line.account, line.bank_id): i for i, line in lines}
        batch = _Batch(erp_name=self.erp_name, held=kept)
        deferred: list[int] = []
        for proposal in proposals:
            line_id = ids[(proposal.line.account, proposal.line.bank_id)]
            if held is not None and not partitions.within(proposal, held):
                deferred.append(line_id)
                continue
            batch.add(line_id, proposal)
        with self.summary.timed("decide_write"):
            now = self.clock()
            batch.store(session, summary=self.summary, now=now, sent_after=self.snapshot.taken_at)
            _learn_quietly(session, self.erp_name, batch.proposals, now)
        self.summary.add("decide_deferred", len(deferred))
        return deferred


@dataclass(frozen=True, slots=True)
class _Done:
    """What one chunk's transaction did: whether it held its locks, and the lines deferred."""

    locked: bool
    deferred: list[int] = field(default_factory=list)


def _learn_quietly(
    session: Session, erp_name: str, applied: Sequence[tuple[int, Proposal]], now: datetime
) -> None:
    """Learn payer accounts; one another daemon learns at the same moment is its to keep."""
    try:
        with session.begin_nested():
            _learn_accounts(session, erp_name, [p for _, p in applied], now)
    except (IntegrityError, OperationalError):  # a race on the same link, or a deadlock on it
        log.info("payer_link_taken")
