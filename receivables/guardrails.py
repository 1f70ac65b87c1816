"""KPI guardrails: the targets of the collections policy, and which ones a day breaches."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from arbridge.receivables.kpis import Kpis


@dataclass(frozen=True, slots=True)
class Targets:
    """The seed's policy: past due under 30 %, over 20 days under 20 %, nothing over 90 days."""

    past_due_share: Decimal = Decimal("0.30")
    past_due_over_20_days_share: Decimal = Decimal("0.20")
    invoices_over_90_days: int = 0


@dataclass(frozen=True, slots=True)
class Check:
    """One guardrail evaluated on one day's KPIs."""

    kpi: str
    value: str
    target: str
    breached: bool

    def describe(self) -> str:
        """One line for a person."""
        verdict = "BREACHED" if self.breached else "ok"
        return f"{self.kpi} {self.value} (target at most {self.target}): {verdict}"


def check(kpis: Kpis, targets: Targets) -> list[Check]:
    """Each target against the KPIs; a value above its target is a breach."""
    pairs: list[tuple[str, Decimal | int, Decimal | int]] = [
        ("past_due_share", kpis.past_due_share, targets.past_due_share),
        (
            "past_due_over_20_days_share",
            kpis.past_due_over_20_days_share,
            targets.past_due_over_20_days_share,
        ),
        ("invoices_over_90_days", kpis.invoices_over_90_days, targets.invoices_over_90_days),
    ]
    return [Check(name, str(value), str(target), value > target) for name, value, target in pairs]
