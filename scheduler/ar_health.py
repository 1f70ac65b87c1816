"""Receivables step: today's KPIs stored for trends, guardrails checked, promises settled.

Optional in the cycle (`CycleDeps.ar`). A breach is recorded in the store (read by
`arbridge status` and /metrics) and told through `notify` once, when it starts; a
notice that could not be sent is tried again next cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from arbridge.domain.money import format_money
from arbridge.receivables import Basis, Buckets
from arbridge.receivables.aging import aging_report
from arbridge.receivables.guardrails import Targets, check
from arbridge.receivables.kpis import Kpis, kpis_json, kpis_of
from arbridge.scheduler._summary import RunSummary
from arbridge.store import Store, ar_health, ar_period, ar_sums, ar_worklist
from arbridge.store.ar_tables import ArGuardrailRow

log = structlog.get_logger("arbridge.ar")
Notify = Callable[[str, str], None]
"""Sends (subject, body) to whoever watches the guardrails; raises when it cannot."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ArDeps:
    """The knobs of the receivables step."""

    buckets: Buckets = field(default_factory=Buckets)
    targets: Targets = field(default_factory=Targets)
    period_days: int = 90
    notify: Notify | None = None
    every: timedelta = timedelta(minutes=60)
    """At most one run per this long (a large book takes seconds); a new day always runs."""


def run_ar_step(
    store: Store, erp: str, deps: ArDeps, summary: RunSummary, clock: Callable[[], datetime]
) -> Kpis | None:
    """Store today's KPIs and guardrail states, settle promises, tell of new breaches.

    Promises are settled every cycle; the KPIs at most every `deps.every` (and on the first
    cycle of a day). Returns the KPIs; None before any ERP pull, or when not due.
    """
    now = clock()
    day = now.date()
    with store.transaction() as session:
        ar_worklist.settle_promises(session, erp, day, now)  # every cycle: cheap, and awaited
    with store.transaction() as session:
        last = ar_health.last_taken(session, erp, day)
        if last is not None and now - last < deps.every:
            return None
        totals = ar_sums.kpi_totals(session, erp, day)
        sums = ar_sums.aging_sums(session, erp, day, buckets=deps.buckets, basis=Basis.DUE_DATE)
        if totals is None or sums is None:
            return None
        facts = ar_period.period_facts(session, erp, day, deps.period_days)
        kpis = kpis_of(totals, day, facts)
        aging = aging_report(sums, day, names={}, buckets=deps.buckets, basis=Basis.DUE_DATE)
        ar_health.save_day(
            session,
            erp,
            day,
            {
                "open_total": kpis.open_total,
                "past_due_total": kpis.past_due_total,
                "past_due_over_20_days_total": kpis.past_due_over_20_days_total,
                "invoices_open": kpis.invoices_open,
                "invoices_over_90_days": kpis.invoices_over_90_days,
                "buckets": {
                    label: format_money(v)
                    for label, v in zip(aging.labels, aging.total.amounts, strict=True)
                },
                "figures": kpis_json(kpis),
                "taken_at": now,
            },
        )
        untold = ar_health.record_checks(session, erp, check(kpis, deps.targets), now)
    for row in untold:
        log.warning("ar_guardrail_breached", kpi=row.kpi, value=row.value, target=row.target)
        if deps.notify is not None:
            _tell(store, erp, row, notify=deps.notify, summary=summary, now=now)
    return kpis


def _tell(
    store: Store,
    erp: str,
    row: ArGuardrailRow,
    *,
    notify: Notify,
    summary: RunSummary,
    now: datetime,
) -> None:
    subject = f"arbridge: {row.kpi} is {row.value}, above its target of {row.target}"
    body = (
        f"The receivables KPI {row.kpi} of ERP {erp} went past its target on "
        f"{row.since:%Y-%m-%d %H:%M} UTC: {row.value} (target at most {row.target}).\n"
        "You will not be told again until it is back within target and breaks it again.\n"
    )
    try:
        notify(subject, body)
    except Exception as exc:  # a mail problem of any kind must not stop the cycle
        summary.error(f"guardrail notice for {row.kpi} not sent: {exc}")
        return
    with store.transaction() as session:
        ar_health.mark_notified(session, erp, row.kpi, now)
