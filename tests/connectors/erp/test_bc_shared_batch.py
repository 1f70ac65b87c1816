"""Business Central: applications of one line share `$batch` calls, each line on its own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import respx

from arbridge.connectors.base import PostOutcome
from arbridge.connectors.erp import business_central
from arbridge.connectors.erp._http import RateLimiter
from arbridge.connectors.errors import RecordRejectedError, TransientConnectorError
from arbridge.domain.records import Allocation, Application
from bench.erp_fakes import fake_bc
from bench.erp_fakes.fault import LOSE
from tests.contracts.harness import NO_RETRY_SLEEP, demo_records


@pytest.fixture
def bc(tmp_path: Path) -> Iterator[tuple[fake_bc.FakeBusinessCentral, respx.MockRouter]]:
    customers, invoices = demo_records(tmp_path)
    fake = fake_bc.FakeBusinessCentral(customers, invoices)
    with respx.mock(assert_all_called=False) as router:
        fake.install(router)
        yield fake, router


def _gateway() -> business_central.BusinessCentralErpGateway:
    return business_central.build(
        name="bc",
        tenant="tenant-1",
        environment="Production",
        company="CRONUS",
        client_id="app-1",
        client_secret="s3cret-value",
        retry=NO_RETRY_SLEEP,
        limiter=RateLimiter(()),
    )


def _single(key: str, invoice: str, amount: str = "10.00") -> Application:
    return Application(
        idempotency_key=f"bc:operating:{key}",
        bank_account="operating",
        bank_id=key,
        customer_id="C001",
        booked_on=date(2026, 11, 2),
        amount=Decimal(amount),
        allocations=(Allocation(invoice_id=invoice, customer_id="C001", amount=Decimal(amount)),),
        evidence=f"bank line {key}",
    )


def _batches(router: respx.MockRouter) -> list[dict[str, object]]:
    return [
        json.loads(call.request.content)
        for call in router.calls
        if call.request.url.path.endswith("/$batch")
    ]


def test_single_line_applications_share_one_batch_without_snapshot_isolation(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, router = bc
    apps = [_single(f"TX{n}", f"INV-100{n}") for n in range(1, 6)]

    results = _gateway().post_applications(apps)

    assert [getattr(r, "outcome", None) for r in results] == [PostOutcome.POSTED] * 5
    batches = _batches(router)
    assert len(batches) == 1
    assert len(batches[0]["requests"]) == 5  # type: ignore[arg-type]  # JSON list
    batch_call = next(c for c in router.calls if c.request.url.path.endswith("/$batch"))
    assert "Isolation" not in batch_call.request.headers
    assert sorted(str(ln["appliesToInvoiceNumber"]) for ln in fake.lines) == [
        f"INV-100{n}" for n in range(1, 6)
    ]


def test_a_refused_line_costs_only_its_own_application(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, _ = bc
    fake.refuse_invoices.add("INV-1002")
    apps = [_single("TX1", "INV-1001"), _single("TX2", "INV-1002"), _single("TX3", "INV-1003")]

    results = _gateway().post_applications(apps)

    assert getattr(results[0], "outcome", None) is PostOutcome.POSTED
    assert isinstance(results[1], RecordRejectedError)
    assert "earlier posting date" in str(results[1])
    assert getattr(results[2], "outcome", None) is PostOutcome.POSTED
    assert {ln["appliesToInvoiceNumber"] for ln in fake.lines} == {"INV-1001", "INV-1003"}


def test_a_lost_batch_answer_then_a_retry_writes_every_line_once(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, _ = bc
    fake.faults.add("batch", LOSE)
    apps = [_single(f"TX{n}", f"INV-100{n}") for n in range(1, 4)]
    gateway = _gateway()

    first = gateway.post_applications(apps)
    assert all(isinstance(r, TransientConnectorError) for r in first)
    again = gateway.post_applications(apps)

    assert [getattr(r, "outcome", None) for r in again] == [PostOutcome.ALREADY_POSTED] * 3
    assert len(fake.lines) == 3


def test_a_failed_batch_call_gives_the_invoices_back_for_the_retry(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, _ = bc
    fake.faults.add("batch", httpx.Response(503, text="Service Unavailable"))
    gateway = _gateway()
    apps = [_single("TX1", "INV-1001"), _single("TX2", "INV-1002")]

    assert all(isinstance(r, TransientConnectorError) for r in gateway.post_applications(apps))
    results = gateway.post_applications(apps)

    assert [getattr(r, "outcome", None) for r in results] == [PostOutcome.POSTED] * 2
    assert len(fake.lines) == 2
