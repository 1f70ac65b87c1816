"""The collection KPIs and the guardrails on them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from arbridge.receivables import OpenItem, PeriodFacts, compute_kpis
from arbridge.receivables.guardrails import Targets, check

AS_OF = date(2026, 11, 30)


def _item(days_past_due: int, amount: str) -> OpenItem:
    due = AS_OF - timedelta(days=days_past_due)
    return OpenItem("I", "C", due - timedelta(days=30), due, Decimal(amount))


ITEMS = [
    _item(-5, "600.00"),  # current
    _item(10, "100.00"),  # past due, not over 20 days
    _item(21, "200.00"),  # over 20 days
    _item(91, "50.00"),  # over 90 days
    _item(120, "0.00"),  # closed: not counted
]


def test_shares_and_counts() -> None:
    k = compute_kpis(ITEMS, AS_OF)

    assert k.open_total == Decimal("950.00")
    assert k.past_due_total == Decimal("350.00")
    assert k.past_due_share == Decimal("0.3684")  # 350 / 950 = 0.368421...
    assert k.past_due_over_20_days_share == Decimal("0.2632")  # 250 / 950 = 0.263157...
    assert k.invoices_over_90_days == 1
    assert k.invoices_open == 4
    assert k.dso is None
    assert k.cei is None


def test_nothing_open_gives_zero_shares() -> None:
    k = compute_kpis([], AS_OF)

    assert (k.open_total, k.past_due_share, k.invoices_over_90_days) == (Decimal(0), Decimal(0), 0)


def test_period_kpis_follow_their_textbook_formulas() -> None:
    facts = PeriodFacts(
        start=AS_OF - timedelta(days=90),
        credit_sales=Decimal("3000.00"),
        beginning_open=Decimal("1000.00"),
    )
    k = compute_kpis(ITEMS, AS_OF, facts)

    assert k.period_days == 90
    assert k.dso == Decimal("28.50")  # 950 / 3000 x 90
    assert k.best_possible_dso == Decimal("18.00")  # 600 current / 3000 x 90
    assert k.average_days_delinquent == Decimal("10.50")
    # CEI = (1000 + 3000 - 950) / (1000 + 3000 - 600) x 100 = 3050 / 3400
    assert k.cei == Decimal("89.71")


def test_no_sales_leaves_dso_unknown() -> None:
    facts = PeriodFacts(
        start=AS_OF - timedelta(days=30), credit_sales=Decimal(0), beginning_open=None
    )
    k = compute_kpis(ITEMS, AS_OF, facts)

    assert k.dso is None
    assert k.cei is None
    assert k.credit_sales == Decimal(0)


def test_guardrails_breach_above_target_only() -> None:
    k = compute_kpis(ITEMS, AS_OF)
    checks = {c.kpi: c for c in check(k, Targets())}

    assert checks["past_due_share"].breached  # 0.3684 > 0.30
    assert checks["past_due_over_20_days_share"].breached  # 0.2632 > 0.20
    assert checks["invoices_over_90_days"].breached  # 1 > 0
    relaxed = check(k, Targets(Decimal("0.3684"), Decimal("0.30"), 1))
    assert not any(c.breached for c in relaxed)
