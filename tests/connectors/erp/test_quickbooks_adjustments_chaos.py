"""A flaky QuickBooks (429, 500, timeouts, lost answers on every call, credit memos included):
re-posting until done leaves one credit memo and one Payment per discounted application."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import respx

from arbridge.connectors.base import PostResult
from arbridge.connectors.erp.quickbooks import QuickBooksErpGateway
from arbridge.domain.records import Allocation, Application, Customer, Invoice
from bench.erp_fakes import fake_qbo
from tests.contracts.harness import build_qbo
from tests.scheduler.test_chaos import Chaos

N = 40


def _invoices() -> list[Invoice]:
    return [
        Invoice(
            invoice_id=f"INV-{n:04d}",
            customer_id="C001",
            invoice_date=date(2026, 10, 20),
            due_date=date(2026, 11, 19),
            amount=Decimal("100.00") + n,
            open_amount=Decimal("100.00") + n,
        )
        for n in range(N)
    ]


def _app(invoice: Invoice) -> Application:
    discount = (invoice.open_amount * Decimal("0.02")).quantize(Decimal("0.01"))
    cash = invoice.open_amount - discount
    allocation = Allocation(
        invoice_id=invoice.invoice_id,
        customer_id="C001",
        amount=cash,
        adjustment=discount,
        adjustment_reason="discount",
    )
    return Application(
        idempotency_key=f"qbo:operating:B{invoice.invoice_id}",
        bank_account="operating",
        bank_id=f"B{invoice.invoice_id}",
        customer_id="C001",
        booked_on=date(2026, 11, 2),
        amount=cash,
        allocations=(allocation,),
    )


def test_discounts_reach_a_flaky_quickbooks_exactly_once(tmp_path: Path) -> None:
    invoices = _invoices()
    fake = fake_qbo.FakeQuickBooks([Customer(customer_id="C001", name="Acme")], invoices)
    chaos = Chaos(random.Random(20261130), rate=0.25)
    fake.faults = chaos
    pending = [_app(i) for i in invoices]
    with respx.mock(assert_all_called=False) as router:
        gateway = build_qbo(router, fake, tmp_path / "qbo.token", discount_item="21")
        assert isinstance(gateway, QuickBooksErpGateway)
        for _round in range(40):
            if not pending:
                break
            results = gateway.post_applications(pending)
            pending = [
                a for a, r in zip(pending, results, strict=True) if not isinstance(r, PostResult)
            ]

    assert pending == []
    assert chaos.injected["lost_answer"] > 0
    memos = Counter(m["DocNumber"] for m in fake.credit_memos.values())
    payments = Counter(p["PaymentRefNum"] for p in fake.payments.values())
    assert len(memos) == len(payments) == N
    assert set(memos.values()) == set(payments.values()) == {1}
    assert all(i.open_amount == 0 for i in fake.invoices.values())
    assert all(m["Balance"] == 0 for m in fake.credit_memos.values())
