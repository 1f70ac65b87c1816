"""The money state machine, one test per ERP: short in the normal suite, long from make.

ARBRIDGE_STATEFUL=long selects the long profile (2,000 examples) for the ERPs named in
ARBRIDGE_STATEFUL_ERP (comma-separated: memory, csv, business_central, quickbooks,
acumatica) and skips the others; `make stateful-long` runs memory and csv,
`make stateful-long-http` Business Central, QuickBooks and Acumatica, one at a time.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tests.stateful.money_machine import MoneyMachine

LONG = os.environ.get("ARBRIDGE_STATEFUL") == "long"
CHOSEN = set(os.environ.get("ARBRIDGE_STATEFUL_ERP", "").split(",")) - {""}
_QUIET = [HealthCheck.too_slow, HealthCheck.filter_too_much]

settings.register_profile(
    "money-short",
    max_examples=20,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=_QUIET,
)
settings.register_profile(
    "money-short-http",
    max_examples=6,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=_QUIET,
)
settings.register_profile(
    "money-long",
    max_examples=2_000,
    stateful_step_count=int(os.environ.get("ARBRIDGE_STATEFUL_STEPS", "25")),
    deadline=None,
    suppress_health_check=_QUIET,
)


def _case(kinds: tuple[str, ...], short: str) -> Any:
    machine: type[MoneyMachine] = type(
        f"Money_{'_'.join(kinds)}", (MoneyMachine,), {"KINDS": kinds}
    )
    case: Any = machine.TestCase
    case.settings = settings.get_profile("money-long" if LONG else short)
    if LONG and not (CHOSEN & set(kinds)):
        case = pytest.mark.skip(reason="the long run is for other ERPs")(case)
    return case


TestMemoryAndCsv = _case(
    tuple(sorted(CHOSEN & {"memory", "csv"})) or ("memory", "csv"), "money-short"
)
TestBusinessCentral = _case(("business_central",), "money-short-http")
TestQuickBooks = _case(("quickbooks",), "money-short-http")
TestAcumatica = _case(("acumatica",), "money-short-http")
