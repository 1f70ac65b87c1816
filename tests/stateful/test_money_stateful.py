"""The money state machine, short in the normal suite; `make stateful-long` runs the long profile.

ARBRIDGE_STATEFUL=long selects 2,000 examples; `make stateful-long` runs it once per ERP
(ARBRIDGE_STATEFUL_ERP=memory, then csv).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from tests.stateful.money_machine import MoneyMachine

LONG = os.environ.get("ARBRIDGE_STATEFUL") == "long"

settings.register_profile(
    "money-short",
    max_examples=20,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile(
    "money-long",
    max_examples=2_000,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

TestMoneyMachine = MoneyMachine.TestCase
TestMoneyMachine.settings = settings.get_profile("money-long" if LONG else "money-short")
