"""Correct on a payment a person recorded, pushed to API ERPs (respx fakes of their wire shapes).

QuickBooks Online voids the person's Payment, then arbridge's own Payment applies the
line as it should have been; an ERP that cannot reverse a recorded payment (Business
Central's API) refuses: the payment stands, the line is not posted, and an item says to
fix it by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import respx

from arbridge.connectors.bank import FolderBankSource
from arbridge.connectors.base import ErpCapability
from arbridge.connectors.erp import InMemoryErpGateway, quickbooks
from arbridge.connectors.erp._http import FileRefreshTokenStore, RateLimiter, RetryPolicy
from arbridge.connectors.erp.memory_payments import InMemoryPaymentReader
from arbridge.domain.posted import PostedAllocation, PostedPayment
from arbridge.domain.records import Allocation, Application
from arbridge.review import ReviewQueue
from arbridge.review.resolutions import Resolver
from arbridge.scheduler import CycleDeps, run_cycle
from arbridge.store import Store
from bench.erp_fakes import fake_qbo
from tests.conftest import CONTRACT_PROFILE
from tests.contracts.harness import demo_records

BANK = """Date,Description,Amount,Transaction ID
11/02/2026,ACME INDUSTRIAL SUPPLY PAYMENT INV-1001,1250.00,TX0001
"""
_1250 = Decimal("1250.00")


def _bank(tmp_path: Path) -> FolderBankSource:
    (tmp_path / "bank").mkdir()
    (tmp_path / "bank" / "statement.csv").write_text(BANK, encoding="utf-8")
    return FolderBankSource(
        name="operating", path=tmp_path / "bank", currency="USD", csv_profile=CONTRACT_PROFILE
    )


def _person(payment_id: str) -> PostedPayment:
    """Acme's 1250.00 recorded by a clerk on Brightwater's INV-1003, the bank id typed in."""
    return PostedPayment(
        payment_id=payment_id,
        customer_id="C002",
        paid_on=date(2026, 11, 2),
        allocations=(PostedAllocation(invoice_id="INV-1003", amount=_1250),),
        reference="TX0001",
    )


@pytest.fixture
def qbo(tmp_path: Path) -> Iterator[fake_qbo.FakeQuickBooks]:
    customers, invoices = demo_records(tmp_path)
    fake = fake_qbo.FakeQuickBooks(customers, invoices)
    (tmp_path / "qbo.token").write_text(fake.refresh_token, encoding="utf-8")
    with respx.mock(assert_all_called=False) as router:
        fake.install(router)
        yield fake


def _qbo_gateway(tmp_path: Path) -> quickbooks.QuickBooksErpGateway:
    return quickbooks.build(
        name="qbo",
        realm_id=fake_qbo.REALM,
        client_id="client-1",
        client_secret="qbo-s3cret",
        tokens=FileRefreshTokenStore(tmp_path / "qbo.token", connector="qbo"),
        retry=RetryPolicy(attempts=2, sleep=lambda _s: None),
        limiter=RateLimiter(()),
    )


def _record_by_hand(gateway: quickbooks.QuickBooksErpGateway) -> str:
    """A clerk's Payment in QuickBooks (made through the API here; its Id is what counts)."""
    wrong = Application(
        idempotency_key="clerk:entry:1",
        bank_account="",
        bank_id="clerk-1",
        customer_id="C002",
        booked_on=date(2026, 11, 2),
        amount=_1250,
        allocations=(Allocation(invoice_id="INV-1003", customer_id="C002", amount=_1250),),
        evidence="typed by a clerk",
    )
    return str(gateway.post_application(wrong).erp_reference)


def test_quickbooks_voids_the_recorded_payment_then_posts_the_line_once(
    qbo: fake_qbo.FakeQuickBooks, store: Store, tmp_path: Path
) -> None:
    gateway = _qbo_gateway(tmp_path)
    pid = _record_by_hand(gateway)
    reader = InMemoryPaymentReader(name="qbo", payments=[_person(pid)])
    deps = CycleDeps(
        store=store,
        bank_sources=[_bank(tmp_path)],
        erp=gateway,
        payments=reader,
        retry_sleep=lambda _s: None,
    )
    run_cycle(deps)
    [item] = ReviewQueue(store).open_items()
    assert (item.reason, item.erp_payment_ids) == ("suspected_misapplication", (pid,))
    assert "by hand" not in item.message  # QuickBooks can reverse it
    assert qbo.invoices["INV-1003"].open_amount == Decimal("750.00")

    Resolver(store, "qbo").correct_recorded(item.item_id, [], actor="clara", reason="Acme paid")
    run_cycle(deps)
    run_cycle(deps)

    assert qbo.payments[pid]["PrivateNote"] == "Voided"
    assert qbo.invoices["INV-1003"].open_amount == Decimal("2000.00")
    assert qbo.invoices["INV-1001"].open_amount == Decimal("0.00")
    assert len(qbo.payments) == 2  # the clerk's (voided) and arbridge's one re-application
    assert ReviewQueue(store).open_items() == []


def test_an_erp_that_cannot_reverse_a_recorded_payment_leaves_it_standing(
    store: Store, tmp_path: Path
) -> None:
    customers, invoices = demo_records(tmp_path)
    lacking = frozenset(ErpCapability) - {ErpCapability.REVERSE_RECORDED}
    erp = InMemoryErpGateway(
        name="books", customers=customers, invoices=invoices, capabilities=lacking
    )
    reader = InMemoryPaymentReader(name="books", payments=[_person("JNL-7")])
    deps = CycleDeps(
        store=store,
        bank_sources=[_bank(tmp_path)],
        erp=erp,
        payments=reader,
        retry_sleep=lambda _s: None,
    )
    run_cycle(deps)
    [item] = ReviewQueue(store).open_items()
    assert "cannot reverse a payment a person recorded through its API" in item.message

    Resolver(store, "books").correct_recorded(item.item_id, [], actor="clara", reason="Acme")
    run_cycle(deps)
    run_cycle(deps)

    assert erp.posted == {}  # nothing posted: the recorded payment still stands
    [rejected] = ReviewQueue(store).open_items()
    assert rejected.reason == "posting_rejected"
    assert "cannot reverse payment JNL-7" in rejected.message
    assert "by hand" in rejected.message
