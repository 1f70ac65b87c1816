"""Business Central corrections: a reversing general journal line (API v2.0 cannot unapply),
written once; lines not yet posted are withdrawn instead."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import respx

from arbridge.connectors.base import ErpCapability, PostOutcome
from arbridge.connectors.erp import business_central
from arbridge.connectors.erp._http import RateLimiter
from arbridge.connectors.erp.business_central import factory, wire
from arbridge.connectors.errors import (
    CapabilityMissingError,
    RecordRejectedError,
    TransientConnectorError,
)
from arbridge.domain.records import Allocation, Application
from bench.erp_fakes import fake_bc
from bench.erp_fakes.fault import LOSE
from tests.contracts.harness import NO_RETRY_SLEEP, demo_records

PLAN = business_central.WriteOffPlan(default=business_central.WriteOffTarget("ARWO", "8620"))
TODAY = date(2026, 11, 20)


@pytest.fixture
def bc(tmp_path: Path) -> Iterator[tuple[fake_bc.FakeBusinessCentral, respx.MockRouter]]:
    customers, invoices = demo_records(tmp_path)
    fake = fake_bc.FakeBusinessCentral(customers, invoices)
    with respx.mock(assert_all_called=False) as router:
        fake.install(router)
        yield fake, router


def _gateway(
    corrections: business_central.CorrectionSettings | None = None, **kw: object
) -> business_central.BusinessCentralErpGateway:
    gateway = factory.build(
        name="bc",
        tenant="tenant-1",
        environment="Production",
        company="CRONUS",
        client_id="app-1",
        client_secret="s3cret-value",
        retry=NO_RETRY_SLEEP,
        limiter=RateLimiter(()),
        write_offs=PLAN,
        corrections=corrections or business_central.CorrectionSettings(),
        **kw,  # type: ignore[arg-type]  # keyword overrides of a test builder, checked at run time by build
    )
    if gateway._reverser is not None:
        gateway._reverser._today = lambda: TODAY
    return gateway


def _app(key: str, write_off: str = "0") -> Application:
    cash = Decimal("760.00") - Decimal(write_off)
    allocation = Allocation(
        invoice_id="INV-1007",
        customer_id="C004",
        amount=cash,
        adjustment=Decimal(write_off),
        adjustment_reason="short_payment" if write_off != "0" else None,
    )
    return Application(
        idempotency_key=f"bc:operating:{key}",
        bank_account="operating",
        bank_id=key,
        customer_id="C004",
        booked_on=date(2026, 11, 4),
        amount=cash,
        allocations=(allocation,),
        evidence="clerk applied it",
    )


def _reversal(app: Application) -> Application:
    return dataclasses.replace(app, idempotency_key=f"{app.idempotency_key}:reverse:1")


def _journal_lines_sent(router: respx.MockRouter) -> list[tuple[str, dict[str, object]]]:
    return [
        (r["url"], r["body"])
        for c in router.calls
        if c.request.url.path.endswith("/$batch")
        for r in json.loads(c.request.content, parse_float=Decimal)["requests"]
        if r["url"].endswith("/journalLines")
    ]


def test_a_posted_payment_is_reversed_by_a_journal_line_that_debits_the_customer_again(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, router = bc
    gateway = _gateway(post_journal=True)
    assert ErpCapability.REVERSE in gateway.capabilities
    original = gateway.post_application(_app("TXC1"))
    assert fake.invoices["INV-1007"].status == "Paid"
    reversal = _reversal(_app("TXC1"))

    result = gateway.reverse_application(reversal, str(original.erp_reference))

    key = reversal.idempotency_key
    document = wire.document_number(key)
    assert (result.outcome, result.erp_reference) == (PostOutcome.POSTED, document)
    created = [
        json.loads(c.request.content)
        for c in router.calls
        if c.request.method == "POST" and c.request.url.path.endswith(f"({fake_bc.CID})/journals")
    ]
    assert created == [{"code": "ARBRIDGE", "displayName": "arbridge corrections"}]
    [batch_id] = list(fake.general)
    [(url, body)] = _journal_lines_sent(router)
    assert url == f"companies({fake_bc.CID})/journals({batch_id})/journalLines"
    assert body == {
        "accountType": "G/L Account",
        "accountNumber": "10100",  # the cash receipt journal's balancing account
        "postingDate": "2026-11-20",
        "documentNumber": document,
        "externalDocumentNumber": wire.external_document_number(key),
        "amount": Decimal("-760.00"),
        "description": f"reverses {original.erp_reference}; "
        + "bank TXC1:reverse:1: clerk applied it [bc:operating:TXC1:reverse:1]",
        "balanceAccountType": "Customer",
        "balancingAccountNumber": "C004",
    }
    assert fake.gl_lines == []  # posted with the journal
    assert fake.open_debits == [("C004", Decimal("760.00"), document)]
    assert fake.invoices["INV-1007"].status == "Paid"  # what BC cannot undo stays closed
    assert gateway.own_postings([_app("TXC1").idempotency_key, key]) == []  # netted out


def test_a_lost_answer_then_a_retry_reverses_once(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, _ = bc
    original = _gateway(post_journal=True).post_application(_app("TXC2"))
    fake.faults.add("batch", LOSE)
    with pytest.raises(TransientConnectorError):
        _gateway().reverse_application(_reversal(_app("TXC2")), str(original.erp_reference))

    again = _gateway().reverse_application(_reversal(_app("TXC2")), str(original.erp_reference))

    assert again.outcome is PostOutcome.ALREADY_POSTED
    assert [ln["amount"] for ln in fake.gl_lines] == ["-760.00"]


def test_a_payment_not_yet_posted_is_withdrawn_from_the_journal_instead(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, router = bc
    gateway = _gateway()
    original = gateway.post_application(_app("TXC3", write_off="10.00"))
    assert len(fake.lines) == 2

    result = gateway.reverse_application(
        _reversal(_app("TXC3", "10.00")), str(original.erp_reference)
    )

    assert (result.outcome, result.erp_reference) == (PostOutcome.POSTED, original.erp_reference)
    assert fake.lines == []
    assert _journal_lines_sent(router) == []
    assert fake.invoices["INV-1007"].status == "Open"  # nothing of it ever reached BC's ledger


def test_a_posted_write_off_is_reversed_to_its_own_account(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, router = bc
    gateway = _gateway(post_journal=True)
    original = gateway.post_application(_app("TXC4", write_off="10.00"))

    gateway.reverse_application(_reversal(_app("TXC4", "10.00")), str(original.erp_reference))

    sent = [(b["accountNumber"], b["amount"]) for _url, b in _journal_lines_sent(router)]
    assert sent == [("10100", Decimal("-750.00")), ("8620", Decimal("-10.00"))]
    assert sum(d for _c, d, _doc in fake.open_debits) == Decimal("760.00")


def test_without_corrections_bc_says_how_to_turn_them_on() -> None:
    gateway = factory.build(
        name="bc",
        tenant="tenant-1",
        environment="Production",
        company="CRONUS",
        client_id="app-1",
        client_secret="s3cret-value",
    )
    assert ErpCapability.REVERSE not in gateway.capabilities
    with pytest.raises(CapabilityMissingError, match="set corrections: true"):
        gateway.reverse_application(_reversal(_app("TXC5")), "AB0000")


def test_no_cash_side_account_refuses_the_reversal_with_what_to_set(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, _ = bc
    fake.journals[fake_bc.JID]["balancingAccountNumber"] = ""
    gateway = _gateway(post_journal=True)
    original = gateway.post_application(_app("TXC6"))

    assert "set correction_account" in gateway.probe()
    with pytest.raises(RecordRejectedError, match="set correction_account"):
        gateway.reverse_application(_reversal(_app("TXC6")), str(original.erp_reference))
    assert fake.gl_lines == []
    fixed = _gateway(business_central.CorrectionSettings(account="10150"), post_journal=True)
    fixed.reverse_application(_reversal(_app("TXC6")), str(original.erp_reference))
    assert [ln["accountNumber"] for ln in fake.posted_gl] == ["10150"]


def test_a_half_posted_payment_loses_its_waiting_line_and_reverses_what_posted(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, router = bc
    gateway = _gateway()
    original = gateway.post_application(_app("TXC7", write_off="10.00"))
    [write_off_journal] = [j for j in fake.journals if j != fake_bc.JID]
    fake.post_payment_journal(write_off_journal)  # finance posts the write-off journal only

    gateway.reverse_application(_reversal(_app("TXC7", "10.00")), str(original.erp_reference))

    assert fake.lines == []  # the cash line never posted: withdrawn
    sent = [(b["accountNumber"], b["amount"]) for _url, b in _journal_lines_sent(router)]
    assert sent == [("8620", Decimal("-10.00"))]


def test_a_line_posted_while_being_withdrawn_is_looked_at_again(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, router = bc
    gateway = _gateway()
    original = gateway.post_application(_app("TXC8"))
    fake.faults.add("delete_line", fake_bc.error(404, "BadRequest_NotFound", "gone"))
    with pytest.raises(TransientConnectorError, match="will retry"):
        gateway.reverse_application(_reversal(_app("TXC8")), str(original.erp_reference))
    assert _journal_lines_sent(router) == []
    fake.finance_posts()  # it was posted meanwhile

    gateway.reverse_application(_reversal(_app("TXC8")), str(original.erp_reference))

    sent = [(b["accountNumber"], b["amount"]) for _url, b in _journal_lines_sent(router)]
    assert sent == [("10100", Decimal("-760.00"))]
