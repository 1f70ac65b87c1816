"""The optional `matching:` keys reach the engine; keys left out keep its defaults."""

from __future__ import annotations

from decimal import Decimal

from arbridge.app import match_settings
from arbridge.config.models import MatchingSettings
from arbridge.matching import CustomerPolicy, MatchSettings


def test_no_keys_keep_the_engine_defaults() -> None:
    assert match_settings(MatchingSettings()) == MatchSettings()


def test_policy_keys_and_customer_overrides_are_passed_on() -> None:
    yaml_section = {
        "max_auto_amount": "10000.00",
        "min_confidence": 0.9,
        "review_first_time_payers": True,
        "bank_fee_tolerance": "15.00",
        "customers": {"C001": {"auto_apply": False}, "C002": {"max_auto_amount": "500.00"}},
    }

    engine = match_settings(MatchingSettings.model_validate(yaml_section))

    assert engine.max_auto_amount == Decimal("10000.00")
    assert engine.min_confidence == 0.9
    assert engine.review_first_time_payers is True
    assert engine.bank_fee_tolerance == Decimal("15.00")
    assert engine.discount_grace_days == MatchSettings().discount_grace_days
    assert engine.customers == {
        "C001": CustomerPolicy(auto_apply=False),
        "C002": CustomerPolicy(max_auto_amount=Decimal("500.00")),
    }
