"""Acumatica: a chunk's releases are started first, then settled by one status read and polls."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import respx

from arbridge.connectors.base import PostOutcome
from arbridge.connectors.errors import ConnectorError
from arbridge.domain.records import Allocation, Application
from bench.erp_fakes import fake_acumatica
from tests.contracts.harness import build_acumatica, demo_records

Acu = tuple[fake_acumatica.FakeAcumatica, respx.MockRouter]


@pytest.fixture
def acu(tmp_path: Path) -> Iterator[Acu]:
    customers, invoices = demo_records(tmp_path)
    fake = fake_acumatica.FakeAcumatica(customers, invoices)
    with respx.mock(assert_all_called=False) as router:
        yield fake, router


def _app(key: str, invoice: str) -> Application:
    return Application(
        idempotency_key=f"acu:operating:{key}",
        bank_account="operating",
        bank_id=key,
        customer_id="C001",
        booked_on=date(2026, 11, 2),
        amount=Decimal("10.00"),
        allocations=(Allocation(invoice_id=invoice, customer_id="C001", amount=Decimal("10.00")),),
    )


def _operations(router: respx.MockRouter) -> list[str]:
    names = []
    for call in router.calls:
        path, where = call.request.url.path, call.request.url.params.get("$filter", "")
        if "/status/" in path:
            names.append("poll")
        elif path.endswith("/ReleasePayment"):
            names.append("release")
        elif path.endswith("/Payment") and call.request.method == "GET":
            names.append("status" if where.count("PaymentRef eq") > 1 else "find")
    return names


def test_every_release_starts_before_one_status_read_settles_them(acu: Acu) -> None:
    fake, router = acu
    apps = [_app(f"TX{n}", f"INV-100{n}") for n in range(1, 4)]

    results = build_acumatica(router, fake, concurrent_requests=1).post_applications(apps)

    assert [getattr(r, "outcome", None) for r in results] == [PostOutcome.POSTED] * 3
    operations = [o for o in _operations(router) if o != "find"]
    # the chunk's look-up, three releases, then one read of the three statuses: no polls
    assert operations == ["status", "release", "release", "release", "status"]
    assert {p["Status"]["value"] for p in fake.payments.values()} == {"Closed"}


def test_a_release_still_running_after_the_status_read_is_polled(acu: Acu) -> None:
    fake, router = acu
    fake.release_seconds = 1.3  # longer than the 1 s given before the status read
    apps = [_app(f"TX{n}", f"INV-100{n}") for n in range(1, 3)]

    results = build_acumatica(router, fake, sleep=time.sleep).post_applications(apps)

    assert [getattr(r, "outcome", None) for r in results] == [PostOutcome.POSTED] * 2
    assert "poll" in _operations(router)
    assert {p["Status"]["value"] for p in fake.payments.values()} == {"Closed"}


def test_a_failed_release_is_that_payments_and_the_retry_releases_it_without_a_second_payment(
    acu: Acu,
) -> None:
    fake, router = acu
    gateway = build_acumatica(router, fake)
    apps = [_app("TX1", "INV-1001"), _app("TX2", "INV-1002")]
    fake.failing_releases.append("The document is out of balance.")

    first = gateway.post_applications(apps)

    assert isinstance(first[0], ConnectorError)
    assert "out of balance" in str(first[0])
    assert getattr(first[1], "outcome", None) is PostOutcome.POSTED
    again = gateway.post_applications(apps[:1])

    assert getattr(again[0], "outcome", None) is PostOutcome.POSTED
    assert len(fake.payments) == 2
