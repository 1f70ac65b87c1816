"""A vendor's request budget shared by several daemons: together they stay under the limit."""

from __future__ import annotations

from sqlalchemy import Engine

from arbridge.store import create_store_engine
from arbridge.store.ratebudget import SharedRateBudget


class VirtualTime:
    """A clock that only moves when somebody sleeps."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_three_daemons_sharing_a_budget_never_exceed_any_window(
    engine: Engine, store_url: str
) -> None:
    time = VirtualTime()
    engines = [engine, create_store_engine(store_url), create_store_engine(store_url)]
    daemons = [
        SharedRateBudget(e, "qbo", [(10, 1.0), (25, 60.0)], clock=time.clock, sleep=time.sleep)
        for e in engines
    ]
    sent: list[float] = []

    for n in range(60):
        daemons[n % 3].acquire()
        sent.append(time.now)

    for start in sent:
        assert sum(1 for t in sent if start <= t < start + 1.0) <= 10
        assert sum(1 for t in sent if start <= t < start + 60.0) <= 25
    assert sent[-1] - sent[0] >= 60.0  # the per-minute window really made them wait
    assert sum(d.waited for d in daemons) > 0
    for e in engines[1:]:
        e.dispose()


def test_budgets_of_different_connectors_do_not_share(engine: Engine) -> None:
    time = VirtualTime()
    bc = SharedRateBudget(engine, "bc", [(2, 10.0)], clock=time.clock, sleep=time.sleep)
    qbo = SharedRateBudget(engine, "qbo", [(2, 10.0)], clock=time.clock, sleep=time.sleep)

    for _ in range(2):
        bc.acquire()
        qbo.acquire()

    assert time.now == 1_800_000_000.0  # nobody had to wait
    bc.acquire()
    assert time.now >= 1_800_000_010.0
