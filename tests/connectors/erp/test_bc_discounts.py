"""Business Central payment discounts: the applied cash line, granted by BC within the discount date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import respx

from arbridge.connectors.base import ErpCapability, PostOutcome
from arbridge.connectors.erp import business_central
from arbridge.connectors.erp._http import RateLimiter
from arbridge.connectors.errors import RecordRejectedError
from arbridge.domain.records import Allocation, Application
from bench.erp_fakes import fake_bc
from tests.contracts.harness import NO_RETRY_SLEEP, demo_records


@pytest.fixture
def bc(tmp_path: Path) -> Iterator[fake_bc.FakeBusinessCentral]:
    customers, invoices = demo_records(tmp_path)
    fake = fake_bc.FakeBusinessCentral(customers, invoices)
    fake.payment_discounts["INV-1001"] = ("2026-11-05", Decimal("25.00"))
    with respx.mock(assert_all_called=False) as router:
        fake.install(router)
        yield fake


def _gateway(*, discounts: bool = True) -> business_central.BusinessCentralErpGateway:
    return business_central.build(
        name="bc",
        tenant="tenant-1",
        environment="Production",
        company="CRONUS",
        client_id="app-1",
        client_secret="s3cret-value",
        retry=NO_RETRY_SLEEP,
        limiter=RateLimiter(()),
        post_journal=True,
        payment_discounts=discounts,
    )


def _app(
    key: str, booked: date, adjustment: str = "25.00", reason: str = "early_payment_discount"
) -> Application:
    allocation = Allocation(
        invoice_id="INV-1001",
        customer_id="C001",
        amount=Decimal("1225.00"),
        adjustment=Decimal(adjustment),
        adjustment_reason=reason,
    )
    return Application(
        idempotency_key=f"bc:operating:{key}",
        bank_account="operating",
        bank_id=key,
        customer_id="C001",
        booked_on=booked,
        amount=Decimal("1225.00"),
        allocations=(allocation,),
        evidence=f"bank line {key}; 2% 10 net 30",
    )


def test_a_discount_is_the_applied_cash_line_and_bc_closes_the_invoice(
    bc: fake_bc.FakeBusinessCentral,
) -> None:
    result = _gateway().post_application(_app("TD1", date(2026, 11, 4)))

    assert result.outcome is PostOutcome.POSTED
    assert [(ln["appliesToInvoiceNumber"], Decimal(str(ln["amount"]))) for ln in bc.posted] == [
        ("INV-1001", Decimal("-1225.00"))
    ]
    assert bc.posted[0]["postingDate"] == "2026-11-04"
    assert bc.invoices["INV-1001"].status == "Paid"


def test_after_the_discount_date_bc_leaves_the_discount_open(
    bc: fake_bc.FakeBusinessCentral,
) -> None:
    _gateway().post_application(_app("TD2", date(2026, 11, 9)))

    assert bc.invoices["INV-1001"].invoice.open_amount == Decimal("25.00")
    assert bc.invoices["INV-1001"].status == "Open"


def test_without_payment_discounts_a_discount_is_refused_and_nothing_written(
    bc: fake_bc.FakeBusinessCentral,
) -> None:
    gateway = _gateway(discounts=False)
    assert ErpCapability.DISCOUNT not in gateway.capabilities
    with pytest.raises(RecordRejectedError, match=r"cannot carry discount.*payment_discounts"):
        gateway.post_application(_app("TD3", date(2026, 11, 4)))
    assert bc.lines == []
    assert bc.posted == []


def test_without_a_write_off_journal_a_write_off_is_refused(
    bc: fake_bc.FakeBusinessCentral,
) -> None:
    with pytest.raises(RecordRejectedError, match=r"cannot carry write_off.*write_off_journal"):
        _gateway().post_application(_app("TW1", date(2026, 11, 4), "0.90", "short_pay"))
    assert bc.lines == []
    assert bc.posted == []


def test_the_invoice_must_hold_cash_plus_discount(bc: fake_bc.FakeBusinessCentral) -> None:
    bc.touch("INV-1001", open_amount=Decimal("1240.00"))
    with pytest.raises(RecordRejectedError, match=r"has 1240\.0 left, 1250\.00 was to be applied"):
        _gateway().post_application(_app("TD4", date(2026, 11, 4)))
    assert bc.lines == []
