"""A failed call defers only its own entry: the others go on, and it is tried again after them."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import httpx
import respx

from arbridge.connectors.bank import FolderBankSource
from arbridge.connectors.base import ErpGateway
from arbridge.scheduler import CycleDeps, run_cycle
from arbridge.store import Store, postings
from bench.erp_fakes import fake_acumatica
from bench.erp_fakes.fault import LOSE
from tests.conftest import CONTRACT_PROFILE, DEMO
from tests.contracts.harness import build_acumatica, demo_records


def _depth(store: Store) -> dict[str, int]:
    with store.transaction() as session:
        return postings.outbox_depth(session)


def _deps(store: Store, tmp_path: Path, erp: ErpGateway, waits: list[float]) -> CycleDeps:
    shutil.copytree(DEMO / "bank", tmp_path / "bank")
    bank = FolderBankSource(
        name="operating", path=tmp_path / "bank", currency="USD", csv_profile=CONTRACT_PROFILE
    )
    return CycleDeps(store=store, bank_sources=[bank], erp=erp, retry_sleep=waits.append)


def test_a_lost_answer_and_a_refused_call_do_not_stop_the_others(
    store: Store, tmp_path: Path
) -> None:
    """One cycle delivers everything: an entry that failed is retried after a back-off.

    The lost answer is found by the connector's own read-back; the entry whose PUT fails
    twice (each time read back and not found) is left to the push, which tries it again.
    """
    customers, invoices = demo_records(tmp_path)
    fake = fake_acumatica.FakeAcumatica(customers, invoices)
    unavailable = httpx.Response(503, text="Service Unavailable")
    fake.faults.add("put", LOSE, unavailable, unavailable)
    waits: list[float] = []
    with respx.mock(assert_all_called=False) as router:
        gateway = build_acumatica(router, fake, concurrent_requests=1)
        deps = _deps(store, tmp_path, gateway, waits)
        summary = run_cycle(deps)

    depth = _depth(store)
    assert depth.get("pending", 0) == 0
    assert depth["sent"] == len(fake.payments) >= 3
    assert len({p["PaymentRef"]["value"] for p in fake.payments.values()}) == len(fake.payments)
    assert waits  # backed off before trying again
    assert waits[0] > 0
    assert summary.counts["posted"] == depth["sent"]


def test_an_erp_that_is_down_stops_the_push_for_the_cycle(store: Store, tmp_path: Path) -> None:
    """Five failures in a row mean the ERP is down: the rest waits for the next cycle."""
    customers, invoices = demo_records(tmp_path)
    fake = fake_acumatica.FakeAcumatica(customers, invoices)
    fake.faults.add("put", *[httpx.Response(503, text="down")] * 40)
    waits: list[float] = []
    with respx.mock(assert_all_called=False) as router:
        gateway = build_acumatica(router, fake, concurrent_requests=1)
        deps = _deps(store, tmp_path, gateway, waits)
        run_cycle(deps)
        puts = fake.faults.calls["put"]
        fake.faults.queued.clear()
        run_cycle(deps)

    assert puts == 10  # five applications, each sent again once after a read-back found nothing
    assert _depth(store).get("pending", 0) == 0
    assert len(fake.payments) == _depth(store)["sent"]


def test_an_invoice_missing_from_the_erp_waits_three_cycles_then_goes_to_review(
    store: Store, tmp_path: Path
) -> None:
    """Not rejected at once (the ERP may show it on its next read), nor retried for ever."""
    customers, invoices = demo_records(tmp_path)
    fake = fake_acumatica.FakeAcumatica(customers, invoices)
    fake.hidden = set(fake.invoices)  # listed in the pull, missing from the pre-post re-read
    waits: list[float] = []
    states = []
    with respx.mock(assert_all_called=False) as router:
        deps = _deps(store, tmp_path, build_acumatica(router, fake), waits)
        for _ in range(3):
            run_cycle(deps)
            states.append(_depth(store))

    decided = states[0].get("pending", 0)
    assert decided >= 3
    assert [s.get("pending", 0) for s in states] == [decided, decided, 0]
    assert states[-1]["rejected"] == decided
    assert fake.faults.calls["put"] == 0  # never written
    assert waits == []  # a missing record is no reason to stall the cycle


def test_a_push_over_acumatica_logs_in_once_however_many_calls_it_makes(
    store: Store, tmp_path: Path
) -> None:
    """Claimed two at a time, the push makes several posting calls inside one login."""
    customers, invoices = demo_records(tmp_path)
    fake = fake_acumatica.FakeAcumatica(customers, invoices)
    with respx.mock(assert_all_called=False) as router:
        gateway = build_acumatica(router, fake, concurrent_requests=1)
        deps = _deps(store, tmp_path, gateway, [])
        deps = dataclasses.replace(deps, shared=True, claim_batch=2)
        run_cycle(deps)

    sent = _depth(store)["sent"]
    assert sent == len(fake.payments) >= 5  # three calls or more
    assert fake.faults.calls["put"] == sent
    assert fake.logins == fake.logouts == 3  # customers, invoices, and the whole push
    assert fake.sessions == set()
