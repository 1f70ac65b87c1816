"""The commission ledger: the store's cash events through the plan, and closed periods kept.

Tiers count cash per calendar month, so every open month a report touches is computed
whole and then cut to the dates asked for. Closed months are read back as they were
frozen; events of a closed month that were not frozen land in the next open month.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session

from arbridge.commissions import (
    Plan,
    Tier,
    compute,
    landing_day,
    last_day,
    parse_period,
    period_of,
    portions_of,
)
from arbridge.commissions.periods import next_month
from arbridge.commissions.plan import Rate
from arbridge.config.commissions import CommissionSettings, RepPlanSettings, TierSettings
from arbridge.domain.commissions import CashEvent, CommissionLine
from arbridge.domain.errors import ArbridgeError
from arbridge.store import Store, register
from arbridge.store import commissions as ledger


class PeriodError(ArbridgeError):
    """A period cannot be closed (not over yet, closed already, or out of order)."""


def plan_from(settings: CommissionSettings) -> Plan:
    """The pure plan from the `commissions:` section."""
    return Plan(
        default_rate=settings.default_rate,
        reps={rep: _rep_rate(rule) for rep, rule in settings.reps.items()},
        tiers=_tiers(settings.tiers),
        customers=dict(settings.customers),
        invoice_kinds=dict(settings.invoice_kinds),
        approved_only=settings.approved_only,
        exclude_tax=settings.exclude_tax,
        exclude_freight=settings.exclude_freight,
    )


def _rep_rate(rule: Decimal | RepPlanSettings) -> Rate:
    if not isinstance(rule, RepPlanSettings):
        return rule
    if rule.tiers:
        return _tiers(rule.tiers)
    assert rule.rate is not None  # the settings model requires a rate or tiers
    return rule.rate


def _tiers(tiers: Sequence[TierSettings]) -> tuple[Tier, ...]:
    return tuple(Tier(rate=t.rate, up_to=t.up_to) for t in tiers)


class CommissionLedger:
    """Reports for any dates, and closing a month for good."""

    def __init__(self, store: Store, erp: str, plan: Plan, clock: Callable[[], datetime]) -> None:
        self._store, self._erp, self._plan, self._clock = store, erp, plan, clock
        self.unpriced: set[str] = set()
        """Reps the plan has no rate for, seen by the last report (their lines earn 0)."""

    def report(self, start: date, end: date) -> list[CommissionLine]:
        """Every line that counts from `start` to `end` (both included), per rep by date."""
        if end < start:
            raise ArbridgeError(f"--to {end} is before --from {start}")
        self.unpriced = set()
        with self._store.transaction() as session:
            return self._report(session, start, end)

    def close(self, period: str, *, actor: str) -> list[CommissionLine]:
        """Freeze `period`'s lines; later events of it land in the next open month.

        Raises:
            PeriodError: the month is not over, is closed, or an earlier one is still open.
        """
        try:
            first, last = parse_period(period)
        except ValueError as exc:
            raise PeriodError(str(exc)) from None
        now, self.unpriced = self._clock(), set()
        with self._store.transaction() as session:
            closed = ledger.closed_periods(session, self._erp)
            _check_closable(period, first, last, closed, now.date())
            lines = self._report(session, first, last)
            ledger.close_period(session, self._erp, period, lines, actor=actor, now=now)
        return lines

    def _report(self, session: Session, start: date, end: date) -> list[CommissionLine]:
        closed = ledger.closed_periods(session, self._erp)
        frozen = [p for p in _months(start, end) if p in closed]
        lines = [
            x
            for x in ledger.frozen_lines(session, self._erp, periods=frozen)
            if start <= x.effective_on <= end
        ]
        open_months = [p for p in _months(start, end) if p not in closed]
        if open_months:
            events = self._live_events(session, start.replace(day=1), last_day(end), closed)
            for month in open_months:
                mine = [e for e in events if period_of(e.effective_on) == month]
                priced = self._price(session, mine)
                lines += [x for x in priced if start <= x.effective_on <= end]
        lines.sort(key=lambda x: (x.sales_rep, x.effective_on, x.bank_id, x.invoice_id))
        return lines

    def _live_events(
        self, session: Session, start: date, end: date, closed: set[str]
    ) -> list[CashEvent]:
        """Events not frozen yet, moved out of closed months, that count in [start, end]."""
        events = ledger.cash_events(session, self._erp, start, end)
        done = ledger.settled(session, self._erp, {e.application_id for e in events})
        live: list[CashEvent] = []
        for event in events:
            if (event.application_id, event.invoice_id) in done:
                continue
            lands = landing_day(event.occurred_on, closed)
            moved = (
                event if lands == event.occurred_on else dataclasses.replace(event, lands_on=lands)
            )
            if start <= moved.effective_on <= end:
                live.append(moved)
        return live

    def _price(self, session: Session, events: Sequence[CashEvent]) -> list[CommissionLine]:
        terms = register.invoice_terms(session, self._erp, {e.invoice_id for e in events})
        originals = {e.reverses_id for e in events if e.reverses_id is not None}
        prior = portions_of(ledger.frozen_lines(session, self._erp, applications=list(originals)))
        return compute(events, terms, self._plan, prior, self.unpriced)


def _months(start: date, end: date) -> list[str]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(period_of(day))
        day = next_month(day)
    return months


def _check_closable(period: str, first: date, last: date, closed: set[str], today: date) -> None:
    if period in closed:
        raise PeriodError(f"period {period} is closed already")
    if today <= last:
        raise PeriodError(f"period {period} is not over yet (it ends {last})")
    if closed and period < max(closed):
        raise PeriodError(f"period {period} is before {max(closed)}, which is closed already")
    before = period_of(date.fromordinal(first.toordinal() - 1))
    if closed and before not in closed:
        raise PeriodError(f"close {before} first: periods close in order")
