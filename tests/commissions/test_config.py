"""The `commissions:` section: rates are fractions, tiers are ordered, the plan is built from it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from arbridge.app.commissions import plan_from
from arbridge.commissions import Tier
from arbridge.config.commissions import CommissionSettings


def _settings(**section: Any) -> CommissionSettings:
    return CommissionSettings.model_validate(section)


def test_the_contract_section_becomes_a_plan_with_exact_rates() -> None:
    plan = plan_from(_settings(default_rate="0.03", reps={"R-EAST": "0.05"}))

    assert plan.default_rate == Decimal("0.03")
    assert plan.reps == {"R-EAST": Decimal("0.05")}


def test_a_reps_tiers_and_the_overrides_reach_the_plan() -> None:
    plan = plan_from(
        _settings(
            reps={"R-WEST": {"tiers": [{"up_to": "50000", "rate": "0.03"}, {"rate": "0.04"}]}},
            customers={"C001": "0.02"},
            invoice_kinds={"service": "0.06"},
            approved_only=True,
            exclude_tax=True,
        )
    )

    assert plan.reps["R-WEST"] == (
        Tier(rate=Decimal("0.03"), up_to=Decimal("50000")),
        Tier(rate=Decimal("0.04")),
    )
    assert (plan.customers, plan.invoice_kinds) == (
        {"C001": Decimal("0.02")},
        {"service": Decimal("0.06")},
    )
    assert (plan.approved_only, plan.exclude_tax, plan.exclude_freight) == (True, True, False)


@pytest.mark.parametrize(
    ("section", "complaint"),
    [
        ({"default_rate": "3"}, "less than or equal to 1"),
        ({"default_rate": "-0.01"}, "greater than or equal to 0"),
        ({"tiers": [{"rate": "0.01"}, {"up_to": "10", "rate": "0.02"}]}, "every tier but the last"),
        (
            {
                "tiers": [
                    {"up_to": "10", "rate": "0.01"},
                    {"up_to": "5", "rate": "0.02"},
                    {"rate": "0.03"},
                ]
            },
            "increasing",
        ),
        ({"reps": {"R1": {}}}, "either rate or tiers"),
        ({"rate": "0.03"}, "Extra inputs"),
    ],
)
def test_bad_plans_are_refused_saying_why(section: dict[str, Any], complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        _settings(**section)
