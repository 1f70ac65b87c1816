"""Settlement steps: read processor payouts, then find their deposits and place their charges.

Runs before the general decide step. A credit whose text names a processor is held
(`awaiting_payout`) until its payout is reported, so the engine never queues a Stripe
deposit as an unknown payment; a deposit still without its payout after `wait_days`
goes to review, as does a payout whose deposit has not arrived after as many days.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial

import structlog
from sqlmodel import Session

from arbridge.connectors.errors import ConnectorError
from arbridge.connectors.settlement_base import SettlementBatch, SettlementSource
from arbridge.domain.records import Application, BankLine
from arbridge.domain.review import ReviewReason
from arbridge.domain.settlements import Payout
from arbridge.matching import MatchContext, MatchSettings
from arbridge.matching.payouts import PayoutPlacement, find_payout, is_processor_line, place_payouts
from arbridge.review import NewReviewItem, open_many
from arbridge.scheduler._decide import load_context
from arbridge.scheduler._health import connector_failed, connector_ok
from arbridge.scheduler._pull import Snapshot
from arbridge.scheduler._summary import RunSummary
from arbridge.store import Store, bank, ledger, settlements
from arbridge.store.postings import NewApplication

log = structlog.get_logger("arbridge.cycle")
Clock = Callable[[], datetime]
AWAITING = "awaiting_payout"
PLACED_CONFIDENCE = 0.99
"""Confidence recorded for a charge the engine placed on its invoice by the processor's report."""


def pull_settlements(
    store: Store, sources: Sequence[SettlementSource], summary: RunSummary, clock: Clock
) -> None:
    """Read every new batch of every settlement source; a bad batch is refused whole."""
    for source in sources:
        try:
            for batch in source.batches(partial(_known, store, source.name)):
                _import(store, source, batch, summary, clock)
        except ConnectorError as exc:
            connector_failed(store, source.name, str(exc), summary, clock, role="settlement")
        else:
            connector_ok(store, source.name, clock, role="settlement")


def _known(store: Store, source: str, fingerprint: str) -> bool:
    with store.transaction() as session:
        return settlements.known_batch(session, source, fingerprint)


def _import(
    store: Store,
    source: SettlementSource,
    batch: SettlementBatch,
    summary: RunSummary,
    clock: Clock,
) -> None:
    now = clock()
    with store.transaction() as session:
        error = batch.error or "; ".join(settlements.conflicts(session, batch.payouts)) or None
        if error is None:
            fresh = settlements.record_batch(
                session,
                source.name,
                label=batch.label,
                fingerprint=batch.fingerprint,
                payouts=batch.payouts,
                now=now,
            )
            summary.add("payouts_new", fresh)
            log.info(
                "settlement_batch_read", connector=source.name, batch=batch.label, payouts=fresh
            )
        else:
            _refuse(session, source.name, batch, error, summary=summary, now=now)
    source.put_away(batch)


def _refuse(
    session: Session,
    source: str,
    batch: SettlementBatch,
    error: str,
    *,
    summary: RunSummary,
    now: datetime,
) -> None:
    settlements.record_refused(
        session, source, label=batch.label, fingerprint=batch.fingerprint, error=error, now=now
    )
    item = NewReviewItem(
        dedupe_key=f"settlement:{source}:{batch.fingerprint}",
        reason=ReviewReason.QUARANTINED_FILE.value,
        message=f"settlement report {batch.label} was not read: {error}",
    )
    open_many(session, [item], now=now)
    summary.add("files_quarantined")
    summary.error(f"quarantined {batch.label}: {error}")
    log.warning("settlement_batch_refused", connector=source, batch=batch.label, error=error)


@dataclass(frozen=True, slots=True, kw_only=True)
class PayoutRules:
    """How the settlement step decides, set by the composition root."""

    descriptors: dict[str, tuple[str, ...]]
    """Per processor, the bank words that mark its deposits."""
    wait_days: int = 5
    multi_customer: bool = True
    """The ERP takes one application paying several customers' invoices (csv does)."""


def decide_payouts(
    store: Store,
    erp_name: str,
    snapshot: Snapshot,
    settings: MatchSettings,
    rules: PayoutRules,
    *,
    summary: RunSummary,
    clock: Clock,
) -> None:
    """Find the deposits of reported payouts among undecided credits, and apply their charges."""
    if not rules.descriptors:
        return
    with store.transaction() as session:
        store.serialize(session, "decide")
        lines = _processor_lines(session, rules)
        if lines:
            context = load_context(session, erp_name, snapshot)
            step = _Step(
                erp_name=erp_name,
                context=context,
                settings=settings,
                rules=rules,
                sent_after=snapshot.taken_at,
            )
            step.decide(session, lines, summary, clock())
        _late_payouts(session, rules, summary, clock())


def _processor_lines(session: Session, rules: PayoutRules) -> list[tuple[int, BankLine, str]]:
    ids = list(bank.pending_lines(session).values()) + bank.line_ids_with_status(session, AWAITING)
    out = []
    for line_id, line in bank.load_lines(session, ids):
        processor = next(
            (p for p, words in rules.descriptors.items() if is_processor_line(line, words)), None
        )
        if processor is not None:
            out.append((line_id, line, processor))
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class _Step:
    """One cycle's settlement decisions."""

    erp_name: str
    context: MatchContext
    settings: MatchSettings
    rules: PayoutRules
    sent_after: datetime | None

    def decide(
        self,
        session: Session,
        lines: list[tuple[int, BankLine, str]],
        summary: RunSummary,
        now: datetime,
    ) -> None:
        """Deposits of known payouts are placed; the others wait, or go to review when late."""
        open_payouts = settlements.in_transit(session, sorted({p for _, _, p in lines}))
        deposits: list[tuple[BankLine, Payout]] = []
        ids: dict[tuple[str, str], int] = {}
        waiting: list[tuple[int, str, str]] = []
        reviews: list[NewReviewItem] = []
        for line_id, line, processor in lines:
            taken = {d[1].payout_id for d in deposits}
            candidates = [
                p for p in open_payouts if p.processor == processor and p.payout_id not in taken
            ]
            payout, why = find_payout(line, candidates)
            if payout is not None:
                deposits.append((line, payout))
                ids[line.account, line.bank_id] = line_id
            elif line.booked_on + timedelta(days=self.rules.wait_days) > now.date():
                waiting.append((line_id, AWAITING, f"waiting for its {processor} payout: {why}"))
            else:
                reviews.append(_no_payout_item(line_id, line, processor, why))
                waiting.append((line_id, "review", why))
        placements = place_payouts(deposits, self.context, self.settings) if deposits else []
        batch = _Writes(erp_name=self.erp_name, multi_customer=self.rules.multi_customer)
        for placement in placements:
            batch.add(ids[placement.line.account, placement.line.bank_id], placement)
        batch.store(session, summary, now, self.sent_after)
        bank.set_statuses(session, waiting)
        opened = open_many(session, reviews, now=now)
        summary.add("queued", sum(1 for i in opened if i is not None))


def _left_over(placement: PayoutPlacement) -> Decimal:
    """What a person has to place: the deposit's cash not applied, else what was netted out."""
    left = placement.line.amount - placement.cash
    return left if left > 0 else sum((abs(x.item.net) for x in placement.leftovers), Decimal(0))


def _no_payout_item(line_id: int, line: BankLine, processor: str, why: str) -> NewReviewItem:
    return NewReviewItem(
        dedupe_key=f"line:{line.account}:{line.bank_id}:{ReviewReason.PAYOUT_EXCEPTION.value}",
        reason=ReviewReason.PAYOUT_EXCEPTION.value,
        message=f"a {processor} deposit without its payout report: {why}",
        bank_line_id=line_id,
        amount=line.amount,
    )


def _late_payouts(session: Session, rules: PayoutRules, summary: RunSummary, now: datetime) -> None:
    """Payouts whose deposit has not reached the bank `wait_days` after their effective date."""
    late_before: date = now.date() - timedelta(days=rules.wait_days)
    items = [
        NewReviewItem(
            dedupe_key=f"payout:{p.processor}:{p.payout_id}:not_deposited",
            reason=ReviewReason.PAYOUT_NOT_DEPOSITED.value,
            message=(
                f"{p.processor} payout {p.payout_id} of {net} {p.currency}, effective "
                f"{p.effective_on}, has no bank deposit after {rules.wait_days} days"
            ),
            amount=net,
        )
        for p, net in settlements.in_transit_nets(session, sorted(rules.descriptors))
        if p.effective_on < late_before
    ]
    opened = [i for i in open_many(session, items, now=now) if i is not None]
    summary.add("queued", len(opened))


@dataclass(slots=True)
class _Writes:
    """The applications, review items and line statuses of the payouts found this cycle."""

    erp_name: str
    multi_customer: bool
    applications: list[NewApplication] = field(default_factory=list)
    reviews: list[NewReviewItem] = field(default_factory=list)
    statuses: list[tuple[int, str, str]] = field(default_factory=list)
    deposited: list[tuple[int, Payout]] = field(default_factory=list)

    def add(self, line_id: int, placement: PayoutPlacement) -> None:
        """Apply what was placed (where the ERP can take it) and queue what is left."""
        self.deposited.append((line_id, placement.payout))
        customers = {a.customer_id for a in placement.allocations}
        postable = bool(placement.allocations) and (self.multi_customer or len(customers) == 1)
        if postable:
            self.applications.append(self._application(line_id, placement))
        if placement.leftovers or not postable:
            self.reviews.append(self._item(line_id, placement, postable))
        status = "applied" if postable else "review"
        self.statuses.append((line_id, status, placement.explanation()))

    def _hold(self, refused: dict[int, str]) -> None:
        """A payout application the money ledger refused goes to review whole, saying why."""
        for n, why in sorted(refused.items()):
            item = self.applications[n]
            line_id = item.bank_line_id
            self.statuses = [s for s in self.statuses if s[0] != line_id]
            self.statuses.append((line_id, "review", f"not applied: {why}"))
            self.reviews = [r for r in self.reviews if r.bank_line_id != line_id]
            self.reviews.append(
                NewReviewItem(
                    dedupe_key=f"line:{item.application.bank_account}:{item.application.bank_id}:"
                    f"{ReviewReason.PAYOUT_EXCEPTION.value}",
                    reason=ReviewReason.PAYOUT_EXCEPTION.value,
                    message=f"not applied: {why} ({item.explanation})",
                    bank_line_id=line_id,
                    amount=item.application.amount,
                )
            )
            log.warning("payout_refused", bank_id=item.application.bank_id, why=why)

    def _application(self, line_id: int, placement: PayoutPlacement) -> NewApplication:
        line = placement.line
        biggest = max(placement.allocations, key=lambda a: a.amount)
        application = Application(
            idempotency_key=f"{self.erp_name}:{line.account}:{line.bank_id}",
            bank_account=line.account,
            bank_id=line.bank_id,
            customer_id=biggest.customer_id,
            booked_on=line.booked_on,
            amount=placement.cash,
            allocations=placement.allocations,
            evidence=placement.explanation(),
        )
        return NewApplication(
            bank_line_id=line_id,
            application=application,
            confidence=PLACED_CONFIDENCE,
            explanation=placement.explanation(),
            netted=placement.netted,
        )

    def _item(self, line_id: int, placement: PayoutPlacement, posted: bool) -> NewReviewItem:
        line = placement.line
        message = placement.explanation()
        if not posted and placement.allocations:
            message += "; this ERP takes one customer per payment, so nothing was posted"
        return NewReviewItem(
            dedupe_key=f"line:{line.account}:{line.bank_id}:{ReviewReason.PAYOUT_EXCEPTION.value}",
            reason=ReviewReason.PAYOUT_EXCEPTION.value,
            message=message,
            bank_line_id=line_id,
            amount=_left_over(placement) if posted else line.amount,
            suggestions=tuple(
                {
                    "invoice_ids": [a.invoice_id],
                    "customer_id": a.customer_id,
                    "explanation": f"card charge: cash {a.amount}, processor fee {a.adjustment}",
                    "confidence": PLACED_CONFIDENCE,
                }
                for a in ([] if posted else placement.allocations)
            ),
        )

    def store(
        self, session: Session, summary: RunSummary, now: datetime, sent_after: datetime | None
    ) -> None:
        """Write it all in the caller's transaction; the money ledger checks every application."""
        refused = ledger.admit_what_passes(
            session,
            self.erp_name,
            self.applications,
            run_id=summary.run_id,
            now=now,
            sent_after=sent_after,
        )
        self._hold(refused)
        opened = open_many(session, self.reviews, now=now)
        bank.set_statuses(session, self.statuses)
        for line_id, payout in self.deposited:
            settlements.mark_deposited(session, payout, line_id, now)
        summary.add("applied", len(self.applications) - len(refused))
        summary.add("queued", sum(1 for i in opened if i is not None))
