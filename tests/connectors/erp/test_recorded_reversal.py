"""Reversing a payment a person recorded (`reverse_recorded_payment`), on the vendors' wire shapes.

QuickBooks voids the Payment by its `Id` (once: one already voided is left alone);
Acumatica voids `Type:ReferenceNbr` with the VoidPayment action.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import respx

from arbridge.connectors.base import ErpCapability, PostOutcome, RecordedPaymentReverser
from arbridge.connectors.erp import quickbooks
from arbridge.connectors.erp._http import FileRefreshTokenStore, RateLimiter, RetryPolicy
from arbridge.domain.records import Allocation, Application
from bench.erp_fakes import fake_acumatica, fake_qbo
from tests.contracts.harness import build_acumatica, demo_records

_1250 = Decimal("1250.00")


def _clerks(key: str) -> Application:
    """What a clerk typed: Acme's 1250.00 on INV-1001."""
    return Application(
        idempotency_key=key,
        bank_account="",
        bank_id="clerk",
        customer_id="C001",
        booked_on=date(2026, 11, 2),
        amount=_1250,
        allocations=(Allocation(invoice_id="INV-1001", customer_id="C001", amount=_1250),),
        evidence="typed by a clerk",
    )


@pytest.fixture
def qbo(tmp_path: Path) -> Iterator[fake_qbo.FakeQuickBooks]:
    customers, invoices = demo_records(tmp_path)
    fake = fake_qbo.FakeQuickBooks(customers, invoices)
    (tmp_path / "qbo.token").write_text(fake.refresh_token, encoding="utf-8")
    with respx.mock(assert_all_called=False) as router:
        fake.install(router)
        yield fake


def test_quickbooks_voids_a_recorded_payment_once(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    gateway = quickbooks.build(
        name="qbo",
        realm_id=fake_qbo.REALM,
        client_id="client-1",
        client_secret="qbo-s3cret",
        tokens=FileRefreshTokenStore(tmp_path / "qbo.token", connector="qbo"),
        retry=RetryPolicy(attempts=2, sleep=lambda _s: None),
        limiter=RateLimiter(()),
    )
    assert isinstance(gateway, RecordedPaymentReverser)
    assert ErpCapability.REVERSE_RECORDED in gateway.capabilities
    pid = str(gateway.post_application(_clerks("clerk:1")).erp_reference)
    undo = _clerks("fix:reverse")

    first = gateway.reverse_recorded_payment(undo, pid)
    token = qbo.payments[pid]["SyncToken"]
    again = gateway.reverse_recorded_payment(undo, pid)

    assert (first.outcome, again.outcome) == (PostOutcome.POSTED, PostOutcome.ALREADY_POSTED)
    assert qbo.payments[pid]["SyncToken"] == token  # not voided a second time
    assert qbo.invoices["INV-1001"].open_amount == _1250


def test_acumatica_voids_a_recorded_payment(tmp_path: Path) -> None:
    customers, invoices = demo_records(tmp_path)
    fake = fake_acumatica.FakeAcumatica(customers, invoices)
    with respx.mock(assert_all_called=False) as router:
        gateway = build_acumatica(router, fake)
        assert ErpCapability.REVERSE_RECORDED in gateway.capabilities
        gateway.post_application(_clerks("clerk:1"))
        [number] = fake.payments
        assert fake.invoices["INV-1001"].open_amount == 0

        result = gateway.reverse_recorded_payment(_clerks("fix:reverse"), f"Payment:{number}")

    assert result.outcome is PostOutcome.POSTED
    assert fake.payments[number]["Status"]["value"] == "Voided"
    assert fake.invoices["INV-1001"].open_amount == _1250
