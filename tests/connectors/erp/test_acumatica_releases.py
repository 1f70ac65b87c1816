"""Acumatica: a chunk's releases are started first and polled afterwards, in turn."""

from __future__ import annotations

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
        path = call.request.url.path
        if "/status/" in path:
            names.append("poll")
        elif path.endswith("/ReleasePayment"):
            names.append("release")
    return names


def test_every_release_starts_before_the_first_poll(acu: Acu) -> None:
    fake, router = acu
    apps = [_app(f"TX{n}", f"INV-100{n}") for n in range(1, 4)]

    results = build_acumatica(router, fake).post_applications(apps)

    assert [getattr(r, "outcome", None) for r in results] == [PostOutcome.POSTED] * 3
    operations = _operations(router)
    assert operations[:3] == ["release"] * 3
    assert operations.count("poll") == 6  # each job answers 202 once, then 204; none polled after
    assert {p["Status"]["value"] for p in fake.payments.values()} == {"Closed"}


def test_a_failed_release_is_that_payments_and_the_retry_releases_it_without_a_second_payment(
    acu: Acu,
) -> None:
    fake, router = acu
    gateway = build_acumatica(router, fake)
    apps = [_app("TX1", "INV-1001"), _app("TX2", "INV-1002")]
    fake.faults.add("poll", fake_acumatica.http_error(400, "The document is out of balance."))

    first = gateway.post_applications(apps)

    assert isinstance(first[0], ConnectorError)
    assert "out of balance" in str(first[0])
    assert getattr(first[1], "outcome", None) is PostOutcome.POSTED
    fake.payments[next(iter(fake.payments))]["Status"] = fake_acumatica.w("Balanced")
    again = gateway.post_applications(apps[:1])

    assert getattr(again[0], "outcome", None) is PostOutcome.POSTED
    assert len(fake.payments) == 2
