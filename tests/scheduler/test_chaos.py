"""An ERP that fails a fifth of its calls (429, 500, timeouts, lost answers): every
application still reaches it exactly once, over as many cycles as it takes."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import respx

from arbridge.connectors.bank import FolderBankSource
from arbridge.connectors.erp import CsvErpGateway
from arbridge.scheduler import CycleDeps, run_cycle
from arbridge.store import Store, postings
from bench.datasets import write_dataset
from bench.erp_fakes import fake_qbo
from bench.erp_fakes.fault import Faults, Handler
from tests.conftest import CONTRACT_PROFILE
from tests.contracts.harness import build_qbo

PROFILE = CONTRACT_PROFILE


class Chaos(Faults):
    """Fail `rate` of all calls at random, in every way an unwell ERP does."""

    def __init__(self, rng: random.Random, rate: float) -> None:
        super().__init__()
        self.rng, self.rate, self.injected = rng, rate, Counter[str]()

    def wrap(self, operation: str, handler: Handler) -> Handler:
        def side_effect(request: httpx.Request) -> httpx.Response:
            if self.rng.random() >= self.rate:
                return handler(request)
            kind = self.rng.choice(["429", "500", "connect_timeout", "lost_answer"])
            self.injected[kind] += 1
            if kind == "429":
                return httpx.Response(
                    429, headers={"Retry-After": "0"}, json={"fault": "throttled"}
                )
            if kind == "500":
                return httpx.Response(500, text="Internal Server Error")
            if kind == "connect_timeout":
                raise httpx.ConnectTimeout("no answer", request=request)
            handler(request)  # done on the ERP's side, but the answer never arrives
            raise httpx.ReadTimeout("answer lost", request=request)

        return side_effect


def _pending(store: Store) -> int:
    with store.transaction() as session:
        return sum(1 for _ in postings.pending(session, "qbo"))


def test_every_application_reaches_a_flaky_erp_exactly_once(store: Store, tmp_path: Path) -> None:
    write_dataset(tmp_path, 200, 600, seed=3)
    seed = CsvErpGateway(
        name="seed",
        customers=tmp_path / "erp" / "customers.csv",
        invoices=tmp_path / "erp" / "invoices.csv",
        applications=tmp_path / "none.csv",
    )
    fake = fake_qbo.FakeQuickBooks(seed.fetch_customers(), seed.fetch_invoices())
    chaos = Chaos(random.Random(20261123), rate=0.2)
    fake.faults = chaos
    bank = FolderBankSource(
        name="operating", path=tmp_path / "bank", currency="USD", csv_profile=PROFILE
    )
    with respx.mock(assert_all_called=False) as router:
        erp = build_qbo(router, fake, tmp_path / "qbo.token")
        deps = CycleDeps(store=store, bank_sources=[bank], erp=erp, retry_sleep=lambda _s: None)
        cycles = _until(lambda: _pending(store) == 0 and bool(fake.payments), deps, limit=40)

    paid = Counter(p["PaymentRefNum"] for p in fake.payments.values())
    with store.transaction() as session:
        decided = postings.outbox_depth(session)
    assert cycles >= 1
    assert min(chaos.injected[k] for k in ("429", "500", "connect_timeout", "lost_answer")) > 0
    assert set(paid.values()) == {1}  # nothing posted twice
    assert len(paid) == decided["sent"] > 100  # every application delivered, none missing


def _until(done: Callable[[], bool], deps: CycleDeps, *, limit: int) -> int:
    for cycle in range(1, limit + 1):
        run_cycle(deps)
        if done():
            return cycle
    raise AssertionError(f"not done after {limit} cycles")
