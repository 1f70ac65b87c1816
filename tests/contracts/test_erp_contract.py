"""The ERP contract: memory, csv, and Business Central / Acumatica / QuickBooks against their fakes."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from arbridge.connectors.base import (
    BatchPoster,
    ErpCapability,
    PostOutcome,
    RecordedPaymentReverser,
)
from arbridge.connectors.errors import CapabilityMissingError, RecordRejectedError
from arbridge.domain.records import Allocation, Application
from tests.contracts.harness import KINDS, Harness, harness


@pytest.fixture(params=KINDS)
def erp(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    with harness(request.param, tmp_path) as h:
        yield h


def _app(
    key: str, *allocs: tuple[str | None, str], adjustment: str = "0", reason: str | None = None
) -> Application:
    allocations = tuple(
        Allocation(
            invoice_id=inv,
            customer_id="C001",
            amount=Decimal(amt),
            adjustment=Decimal(adjustment) if inv and n == 0 else Decimal("0.00"),
            adjustment_reason=reason if inv and n == 0 else None,
        )
        for n, (inv, amt) in enumerate(allocs)
    )
    return Application(
        idempotency_key=f"books:operating:{key}",
        bank_account="operating",
        bank_id=key,
        customer_id="C001",
        booked_on=date(2026, 11, 2),
        amount=sum((a.amount for a in allocations), Decimal("0.00")),
        allocations=allocations,
        evidence=f"bank line {key}; rule exact; confidence 1.00",
    )


def test_reads_customers_and_open_invoices_with_exact_money(erp: Harness) -> None:
    """Every implementation returns the demo customers and the invoices' open amounts as Decimals."""
    customers = {c.customer_id: c for c in erp.gateway.fetch_customers()}
    invoices = {i.invoice_id: i for i in erp.gateway.fetch_invoices()}

    assert customers["C001"].name == "Acme Industrial Supply Inc"
    assert invoices["INV-1002"].open_amount == Decimal("480.50")
    assert invoices["INV-1001"].customer_id == "C001"
    assert invoices["INV-1001"].due_date == date(2026, 10, 31)


def test_posting_twice_applies_once(erp: Harness) -> None:
    """The second post of the same application changes nothing and says ALREADY_POSTED."""
    app = _app("TX1", ("INV-1001", "1000.00"), ("INV-1002", "480.50"))

    first = erp.gateway.post_application(app)
    second = erp.gateway.post_application(app)

    assert first.outcome is PostOutcome.POSTED
    assert second.outcome is PostOutcome.ALREADY_POSTED
    assert erp.owed("INV-1001") == Decimal("250.00")
    assert erp.owed("INV-1002") == Decimal("0.00")


def test_unapplied_credit_is_declared_and_posted(erp: Harness) -> None:
    """A payment larger than the invoice leaves the rest on the customer where declared."""
    app = _app("TX2", ("INV-1002", "480.50"), (None, "19.50"))
    if ErpCapability.UNAPPLIED_CREDIT not in erp.gateway.capabilities:
        with pytest.raises(RecordRejectedError):
            erp.gateway.post_application(app)
        return
    assert erp.gateway.post_application(app).outcome is PostOutcome.POSTED
    assert erp.owed("INV-1002") == Decimal("0.00")


@pytest.mark.parametrize(
    ("reason", "capability"),
    [("discount", ErpCapability.DISCOUNT), ("short_pay", ErpCapability.WRITE_OFF)],
)
def test_adjustments_are_posted_only_where_declared(
    erp: Harness, reason: str, capability: ErpCapability
) -> None:
    """An adjustment closes the invoice where the capability is declared, else the whole application is refused."""
    app = _app("TX3", ("INV-1002", "470.50"), adjustment="10.00", reason=reason)
    if capability in erp.gateway.capabilities:
        erp.gateway.post_application(app)
        assert erp.owed("INV-1002") == Decimal("0.00")
    else:
        with pytest.raises(RecordRejectedError):
            erp.gateway.post_application(app)
        assert erp.owed("INV-1002") == Decimal("480.50")


def test_an_invoice_paid_elsewhere_since_matching_is_refused(erp: Harness) -> None:
    """Re-reading before posting turns a stale match into a rejection instead of an overpayment."""
    if erp.change is None:
        pytest.skip("the csv ERP has no live invoices to re-read")
    erp.change("INV-1002", Decimal("0.00"))

    with pytest.raises(RecordRejectedError):
        erp.gateway.post_application(_app("TX4", ("INV-1002", "480.50")))


def test_incremental_fetch_returns_changes_after_the_cursor(erp: Harness) -> None:
    """With INCREMENTAL, a second fetch from the stored cursor returns just what changed."""
    first = erp.gateway.fetch_invoices_since(None)
    if ErpCapability.INCREMENTAL not in erp.gateway.capabilities:
        assert first.cursor is None
        assert len(first.invoices) == len(erp.gateway.fetch_invoices())
        return
    assert first.cursor is not None
    assert erp.change is not None
    erp.change("INV-1003", Decimal("1500.00"))

    second = erp.gateway.fetch_invoices_since(first.cursor)

    assert [i.invoice_id for i in second.invoices] == ["INV-1003"]
    assert second.invoices[0].open_amount == Decimal("1500.00")
    assert second.cursor is not None
    assert second.cursor > first.cursor
    assert list(erp.gateway.fetch_invoices_since(second.cursor).invoices) == []


def test_reverse_restores_the_invoice_or_is_declared_missing(erp: Harness) -> None:
    """With REVERSE the application is undone; without it the gateway says so."""
    app = _app("TX5", ("INV-1001", "250.00"))
    result = erp.gateway.post_application(app)
    assert result.erp_reference is not None
    if ErpCapability.REVERSE not in erp.gateway.capabilities:
        with pytest.raises(CapabilityMissingError):
            erp.gateway.reverse_application(app, result.erp_reference)
        return
    erp.gateway.reverse_application(app, result.erp_reference)
    assert erp.owed("INV-1001") == Decimal("1250.00")


def test_a_recorded_payment_is_reversed_where_declared(erp: Harness) -> None:
    """REVERSE_RECORDED is declared exactly by the gateways that undo a payment people recorded.

    The payment is made through the API here (as a clerk's would be); its id is written the
    way the connector's payments reader names it (Acumatica `Type:ReferenceNbr`).
    """
    app = _app("TX6", ("INV-1001", "250.00"))
    result = erp.gateway.post_application(app)
    declared = ErpCapability.REVERSE_RECORDED in erp.gateway.capabilities
    assert declared == isinstance(erp.gateway, RecordedPaymentReverser)
    if not declared:
        return
    assert isinstance(erp.gateway, RecordedPaymentReverser)
    payment_id = str(result.erp_reference).replace("/", ":")
    undo = dataclasses.replace(app, idempotency_key="books:operating:TX6:reverse:1")

    first = erp.gateway.reverse_recorded_payment(undo, payment_id)
    again = erp.gateway.reverse_recorded_payment(undo, payment_id)

    assert first.outcome is PostOutcome.POSTED
    assert again.outcome is PostOutcome.ALREADY_POSTED
    assert erp.owed("INV-1001") == Decimal("1250.00")


def test_a_batch_posts_in_order_and_rejects_only_the_bad_ones(erp: Harness) -> None:
    """BATCH gateways share reads per chunk but keep every per-application rule."""
    if ErpCapability.BATCH not in erp.gateway.capabilities:
        assert not hasattr(erp.gateway, "post_applications")
        return
    assert isinstance(erp.gateway, BatchPoster)
    if erp.change is None:
        pytest.skip("the csv ERP has no live invoices to re-read (its batch test is its own)")
    done = _app("B1", ("INV-1001", "250.00"))
    erp.gateway.post_application(done)
    erp.change("INV-1004", Decimal("0.00"))
    batch = [
        done,
        _app("B2", ("INV-1001", "1000.00")),
        _app("B3", ("INV-1001", "1.00")),
        _app("B4", ("INV-1004", "315.25")),
    ]

    results = erp.gateway.post_applications(batch)

    assert [getattr(r, "outcome", None) for r in results[:2]] == [
        PostOutcome.ALREADY_POSTED,
        PostOutcome.POSTED,
    ]
    assert isinstance(results[2], RecordRejectedError)
    assert isinstance(results[3], RecordRejectedError)
    assert erp.owed("INV-1001") == Decimal("0.00")
