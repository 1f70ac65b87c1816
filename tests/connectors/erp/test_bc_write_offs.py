"""Business Central write-offs: a line of their own, applied to the invoice, in a journal that
balances to the write-off account; one receipt with the cash, written once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import respx
from click.testing import CliRunner
from pydantic import ValidationError

from arbridge.cli import cli
from arbridge.config import BusinessCentralErpSettings
from arbridge.connectors.base import ErpCapability, PostOutcome
from arbridge.connectors.erp import business_central
from arbridge.connectors.erp._http import RateLimiter
from arbridge.connectors.erp.business_central import wire
from arbridge.connectors.errors import (
    PermanentConnectorError,
    RecordRejectedError,
    TransientConnectorError,
)
from arbridge.domain.records import Allocation, Application
from bench.erp_fakes import fake_bc
from bench.erp_fakes.fault import LOSE
from tests.contracts.harness import NO_RETRY_SLEEP, demo_records

PLAN = business_central.WriteOffPlan(
    default=business_central.WriteOffTarget("ARWO", "8620"),
    by_reason={"bank_fee": business_central.WriteOffTarget("ARFEES", "8610")},
)


@pytest.fixture
def bc(tmp_path: Path) -> Iterator[tuple[fake_bc.FakeBusinessCentral, respx.MockRouter]]:
    customers, invoices = demo_records(tmp_path)
    fake = fake_bc.FakeBusinessCentral(customers, invoices)
    with respx.mock(assert_all_called=False) as router:
        fake.install(router)
        yield fake, router


def _gateway(**kw: object) -> business_central.BusinessCentralErpGateway:
    return business_central.build(
        name="bc",
        tenant="tenant-1",
        environment="Production",
        company="CRONUS",
        client_id="app-1",
        client_secret="s3cret-value",
        retry=NO_RETRY_SLEEP,
        limiter=RateLimiter(()),
        write_offs=PLAN,
        **kw,  # type: ignore[arg-type]  # keyword overrides of a test builder, checked at run time by build
    )


def _short(
    key: str, cash: str = "1237.50", write_off: str = "12.50", reason: str = "short_payment"
) -> Application:
    allocation = Allocation(
        invoice_id="INV-1001",
        customer_id="C001",
        amount=Decimal(cash),
        adjustment=Decimal(write_off),
        adjustment_reason=reason,
    )
    return Application(
        idempotency_key=f"bc:operating:{key}",
        bank_account="operating",
        bank_id=key,
        customer_id="C001",
        booked_on=date(2026, 11, 2),
        amount=Decimal(cash),
        allocations=(allocation,),
        evidence="rule reference; confidence 0.97",
    )


def _batches(router: respx.MockRouter) -> list[tuple[dict[str, str], dict[str, Any]]]:
    return [
        (dict(c.request.headers), json.loads(c.request.content, parse_float=Decimal))
        for c in router.calls
        if c.request.url.path.endswith("/$batch")
    ]


def _journal_of(fake: fake_bc.FakeBusinessCentral, code: str) -> dict[str, object]:
    [found] = [j for j in fake.journals.values() if j["code"] == code]
    return found


def test_the_write_off_is_its_own_line_in_a_journal_balancing_to_the_write_off_account(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, router = bc
    gateway = _gateway()
    assert ErpCapability.WRITE_OFF in gateway.capabilities

    result = gateway.post_application(_short("TXW1"))

    assert result.outcome is PostOutcome.POSTED
    created = [
        json.loads(c.request.content)
        for c in router.calls
        if c.request.method == "POST" and c.request.url.path.endswith("/customerPaymentJournals")
    ]
    assert created == [
        {"code": "ARWO", "displayName": "arbridge write-offs", "balancingAccountNumber": "8620"}
    ]
    journal_id = _journal_of(fake, "ARWO")["id"]
    [(headers, body)] = _batches(router)
    assert headers["isolation"] == "snapshot"
    key = "bc:operating:TXW1"
    document, reference = wire.document_number(key), wire.external_document_number(key)
    company = f"companies({fake_bc.CID})"
    assert [(r["url"], r["body"]) for r in body["requests"]] == [
        (
            f"{company}/customerPaymentJournals({fake_bc.JID})/customerPayments",
            {
                "customerNumber": "C001",
                "postingDate": "2026-11-02",
                "documentNumber": document,
                "externalDocumentNumber": reference,
                "amount": Decimal("-1237.50"),
                "description": wire.description(key, "rule reference; confidence 0.97"),
                "appliesToInvoiceNumber": "INV-1001",
            },
        ),
        (
            f"{company}/customerPaymentJournals({journal_id})/customerPayments",
            {
                "customerNumber": "C001",
                "postingDate": "2026-11-02",
                "documentNumber": document,
                "externalDocumentNumber": reference,
                "amount": Decimal("-12.50"),
                "description": wire.description(
                    key, "write-off short_payment; rule reference; confidence 0.97"
                ),
                "appliesToInvoiceNumber": "INV-1001",
            },
        ),
    ]
    assert reference.startswith("TXW1-")  # the bank id a person searches for in BC


def test_posting_both_journals_closes_the_invoice_and_books_the_write_off_account(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, _ = bc
    gateway = _gateway(post_journal=True)

    gateway.post_application(_short("TXW2"))

    assert fake.lines == []
    assert fake.invoices["INV-1001"].status == "Paid"
    debits = {
        (str(e["accountNumber"]), Decimal(str(e["debitAmount"])))
        for e in fake.gl
        if Decimal(str(e["debitAmount"]))
    }
    assert debits == {("10100", Decimal("1237.50")), ("8620", Decimal("12.50"))}
    [record] = gateway.own_postings(["bc:operating:TXW2"])
    assert (record.key, record.amount, record.adjustment) == (
        "bc:operating:TXW2",
        Decimal("1237.50"),
        Decimal("12.50"),
    )
    assert gateway.overdrawn_invoices() == {}


def test_a_deduction_code_goes_to_its_own_journal_and_account(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, _ = bc
    _gateway().post_application(_short("TXW3", reason="bank_fee"))

    fees = _journal_of(fake, "ARFEES")
    assert fees["balancingAccountNumber"] == "8610"
    assert [
        (ln["journalId"], ln["amount"]) for ln in fake.lines if ln["journalId"] != fake_bc.JID
    ] == [(fees["id"], "-12.50")]
    assert not [j for j in fake.journals.values() if j["code"] == "ARWO"]


def test_a_lost_answer_then_a_retry_writes_the_receipt_once(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, _ = bc
    fake.faults.add("batch", LOSE)  # BC writes both lines, the answer never arrives
    gateway = _gateway()
    with pytest.raises(TransientConnectorError):
        gateway.post_application(_short("TXW4"))

    again = _gateway().post_application(_short("TXW4"))  # a restart, then the retry

    assert again.outcome is PostOutcome.ALREADY_POSTED
    document = wire.document_number("bc:operating:TXW4")
    assert sorted(fake.ledger()) == [(document, "INV-1001"), (document, "INV-1001@ARWO")]


def test_cash_plus_write_off_beyond_what_bc_has_open_is_refused_and_nothing_written(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, _ = bc
    fake.add_foreign_line("INV-1001", "100.00")  # finance typed in a payment, not yet posted

    with pytest.raises(RecordRejectedError, match=r"INV-1001 has 1150\.00 left, 1250\.00"):
        _gateway().post_application(_short("TXW5"))

    assert [ln["documentNumber"] for ln in fake.lines] == ["G00042"]


def test_an_existing_write_off_journal_balancing_elsewhere_is_refused_by_doctor_and_posting(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, _ = bc
    fake.journals["j-wo"] = {"id": "j-wo", "code": "ARWO", "balancingAccountNumber": "10100"}
    gateway = _gateway()

    with pytest.raises(PermanentConnectorError, match=r"ARWO' balances to account 10100, not 8620"):
        gateway.probe()
    with pytest.raises(PermanentConnectorError, match=r"ARWO' balances to account 10100"):
        gateway.post_application(_short("TXW6"))
    assert fake.lines == []


def test_doctor_says_which_write_off_journal_will_be_created(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, _ = bc
    said = _gateway().probe()

    assert "write-off journal ARFEES will be created on first use" in said
    assert "write-off journal ARWO will be created on first use" in said
    assert list(fake.journals) == [fake_bc.JID]  # doctor writes nothing


def _settings(**erp: object) -> BusinessCentralErpSettings:
    base = {
        "kind": "business_central",
        "name": "bc",
        "tenant": "t",
        "company": "CRONUS",
        "client_id": "app",
        "client_secret": "env:BC_SECRET",
    }
    return BusinessCentralErpSettings.model_validate({**base, **erp})


def test_the_write_off_keys_are_checked_with_the_config() -> None:
    ok = _settings(
        write_off_journal="ARWO",
        write_off_account="8620",
        write_off_journals={"bank_fee": {"journal": "ARFEES", "account": "8610"}},
    )
    assert ok.write_off_journals["bank_fee"].account == "8610"
    with pytest.raises(
        ValidationError, match="write_off_journal and write_off_account go together"
    ):
        _settings(write_off_journal="ARWO")
    with pytest.raises(ValidationError, match="is the cash receipt journal"):
        _settings(write_off_journal="cashrcpt", write_off_account="8620")
    with pytest.raises(ValidationError, match="given two accounts"):
        _settings(
            write_off_journal="ARWO",
            write_off_account="8620",
            write_off_journals={"bank_fee": {"journal": "ARWO", "account": "8610"}},
        )
    with pytest.raises(ValidationError, match="write_off_journal"):
        _settings(write_off_journal="MUCH-TOO-LONG-CODE", write_off_account="8620")


BAD_CONFIG = """\
connectors:
  bank: []
  erp:
    kind: business_central
    name: bc
    tenant: t
    company: CRONUS
    client_id: app
    client_secret: env:BC_SECRET
    write_off_journal: ARWO
    write_off_journals:
      bank_fee: {journal: CASHRCPT, account: "8610"}
    correction_journal: WAY-TOO-LONG-CODE
store:
  url: sqlite:///state.db
"""


def test_check_config_lists_every_bc_write_off_problem_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "arbridge.yaml"
    config.write_text(BAD_CONFIG, encoding="utf-8")
    monkeypatch.setenv("BC_SECRET", "x")

    result = CliRunner().invoke(cli, ["--config", str(config), "check-config"])

    assert result.exit_code == 2, result.output
    assert "3 configuration problems" in result.output
    assert "write_off_journal and write_off_account go together" in result.output
    assert "bank_fee: 'CASHRCPT' is the cash receipt journal" in result.output
    assert "correction_journal (line 13)" in result.output


def test_an_invoice_read_is_net_of_the_lines_waiting_in_arbridges_journals(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    """BC lowers remainingAmount only on posting: sent-but-unposted money must not read as open."""
    fake, _ = bc
    gateway = _gateway()
    gateway.post_application(_short("TXW7", cash="1000.00", write_off="10.00"))
    assert fake.invoices["INV-1001"].invoice.open_amount == Decimal("1250.00")  # BC's own figure

    by_id = {i.invoice_id: i.open_amount for i in gateway.fetch_invoices()}

    assert by_id["INV-1001"] == Decimal("240.00")
    assert by_id["INV-1002"] == Decimal("480.50")
    fake.finance_posts()
    assert {i.invoice_id: i.open_amount for i in gateway.fetch_invoices()}["INV-1001"] == Decimal(
        "240.00"
    )


def test_an_incremental_read_returns_an_invoice_whose_payment_waits_in_the_journal(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    """BC does not mark the invoice modified when a line is added: the read must say it anyway."""
    gateway = _gateway()
    cursor = gateway.fetch_invoices_since(None).cursor
    assert gateway.fetch_invoices_since(cursor).invoices == []
    gateway.post_application(_short("TXW8", cash="1000.00", write_off="10.00"))

    changed = gateway.fetch_invoices_since(cursor).invoices

    assert [(i.invoice_id, i.open_amount) for i in changed] == [("INV-1001", Decimal("240.00"))]
