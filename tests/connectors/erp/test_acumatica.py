"""Acumatica specifics: logout always, licence seats, 422 bodies, release polling, no duplicate payments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import respx

from arbridge.connectors.base import PostOutcome
from arbridge.connectors.erp import acumatica
from arbridge.connectors.errors import (
    PermanentConnectorError,
    RecordNotFoundError,
    RecordRejectedError,
    TransientConnectorError,
)
from arbridge.domain.records import Allocation, Application
from bench.erp_fakes import fake_acumatica
from bench.erp_fakes.fault import LOSE
from tests.contracts.harness import NO_RETRY_SLEEP, build_acumatica, demo_records


@pytest.fixture
def acu(tmp_path: Path) -> Iterator[tuple[fake_acumatica.FakeAcumatica, respx.MockRouter]]:
    customers, invoices = demo_records(tmp_path)
    fake = fake_acumatica.FakeAcumatica(customers, invoices)
    with respx.mock(assert_all_called=False) as router:
        yield fake, router


def _app(key: str = "TX1") -> Application:
    allocations = (
        Allocation(
            invoice_id="INV-1001",
            customer_id="C001",
            amount=Decimal("1225.00"),
            adjustment=Decimal("25.00"),
            adjustment_reason="discount",
        ),
        Allocation(
            invoice_id="INV-1002",
            customer_id="C001",
            amount=Decimal("470.50"),
            adjustment=Decimal("10.00"),
            adjustment_reason="short_pay",
        ),
    )
    return Application(
        idempotency_key=f"acu:operating:{key}",
        bank_account="operating",
        bank_id=key,
        customer_id="C001",
        booked_on=date(2026, 11, 2),
        amount=Decimal("1695.50"),
        allocations=allocations,
        evidence=f"bank line {key}",
    )


Acu = tuple[fake_acumatica.FakeAcumatica, respx.MockRouter]


def test_every_call_logs_out(acu: Acu) -> None:
    fake, router = acu
    gateway = build_acumatica(router, fake)
    gateway.fetch_customers()
    gateway.fetch_invoices()
    gateway.post_application(_app())
    assert fake.logins == fake.logouts == 3
    assert fake.sessions == set()


def test_logout_happens_even_when_the_call_fails(acu: Acu) -> None:
    fake, router = acu
    gateway = build_acumatica(router, fake)
    fake.faults.add("put", fake_acumatica.http_error(400, "Bad request"))
    with pytest.raises(RecordRejectedError):
        gateway.post_application(_app())
    assert fake.logouts == fake.logins == 1
    assert fake.sessions == set()


def test_one_session_is_shared_inside_a_session_block(acu: Acu) -> None:
    fake, router = acu
    gateway = build_acumatica(router, fake)
    with gateway.session():
        gateway.fetch_customers()
        gateway.post_application(_app())
        assert fake.logouts == 0
    assert fake.logins == fake.logouts == 1


def test_exhausted_seats_are_transient_and_bad_passwords_permanent(acu: Acu) -> None:
    fake, router = acu
    fake.seats = 0
    with pytest.raises(TransientConnectorError, match="API Login Limit"):
        build_acumatica(router, fake).fetch_customers()
    fake.seats = 2
    before = fake.faults.calls["login"]
    gateway = acumatica.build(
        name="acu",
        site=fake_acumatica.SITE,
        endpoint_version="24.200.001",
        username="apiuser",
        password="wrong-pw",
        company="MyTenant",
        payment_method="CHECK",
        cash_account="10200",
        retry=NO_RETRY_SLEEP,
    )
    with pytest.raises(PermanentConnectorError, match="Invalid credentials") as caught:
        gateway.fetch_customers()
    assert fake.faults.calls["login"] == before + 1  # a bad password is never retried
    assert "wrong-pw" not in str(caught.value)


def test_expired_session_logs_in_again(acu: Acu) -> None:
    fake, router = acu
    gateway = build_acumatica(router, fake)
    with gateway.session():
        gateway.fetch_customers()
        fake.sessions.clear()  # the server dropped the idle session
        gateway.fetch_customers()
    assert fake.logins == 2


def test_validation_errors_name_the_field(acu: Acu) -> None:
    fake, router = acu
    gateway = build_acumatica(router, fake, cash_account="99999")
    with pytest.raises(RecordRejectedError, match="CashAccount: 'Cash Account' cannot be found"):
        gateway.post_application(_app())


def test_discount_and_write_off_ride_on_documents_to_apply(acu: Acu) -> None:
    fake, router = acu
    result = build_acumatica(router, fake).post_application(_app())
    payment = fake.payments[str(result.erp_reference).split("/")[1]]
    rows = payment["DocumentsToApply"]
    assert rows[0]["CashDiscountTaken"] == {"value": Decimal("25.00")}
    assert rows[1]["BalanceWriteOff"] == {"value": Decimal("10.00")}
    assert rows[1]["WriteOffReasonCode"] == {"value": "WO"}
    assert fake.invoices["INV-1001"].open_amount == Decimal("0.00")
    assert fake.status["INV-1002"] == "Closed"


def test_lost_put_response_is_found_by_reference_and_released(acu: Acu) -> None:
    """The PUT created the payment but its answer was lost: the read-back finds and releases it."""
    fake, router = acu
    gateway = build_acumatica(router, fake)
    fake.faults.add("put", LOSE)
    assert gateway.post_application(_app()).outcome is PostOutcome.POSTED
    assert fake.faults.calls["put"] == 1  # found by PaymentRef, not sent again
    assert gateway.post_application(_app()).outcome is PostOutcome.ALREADY_POSTED
    assert len(fake.payments) == 1
    assert {p["Status"]["value"] for p in fake.payments.values()} == {"Closed"}
    assert fake.invoices["INV-1001"].open_amount == Decimal("0.00")


def test_an_unknown_invoice_is_reported_as_not_found_and_nothing_is_written(acu: Acu) -> None:
    """Not a plain rejection: the push retries it on later cycles before asking a person."""
    fake, router = acu
    del fake.invoices["INV-1002"]
    with pytest.raises(RecordNotFoundError, match="INV-1002 not found in Acumatica"):
        build_acumatica(router, fake).post_application(_app())
    assert fake.faults.calls["invoices"] == 1  # one list read, not retried
    assert fake.payments == {}


def test_each_deduction_code_gets_its_own_reason_code(acu: Acu) -> None:
    """write_off_reasons maps a deduction code to its WriteOffReasonCode; others get the default."""
    fake, router = acu
    gateway = build_acumatica(router, fake, write_off_reasons={"Freight": "FRT", "short_pay": "SP"})
    for n, (invoice, reason) in enumerate([("INV-1002", "freight"), ("INV-1003", "damaged")]):
        app = Application(
            idempotency_key=f"acu:operating:TXW{n}",
            bank_account="operating",
            bank_id=f"TXW{n}",
            customer_id="C001",
            booked_on=date(2026, 11, 2),
            amount=Decimal("5.00"),
            allocations=(
                Allocation(
                    invoice_id=invoice,
                    customer_id="C001",
                    amount=Decimal("5.00"),
                    adjustment=Decimal("1.00"),
                    adjustment_reason=reason,
                ),
            ),
        )
        gateway.post_application(app)

    codes = [
        p["DocumentsToApply"][0]["WriteOffReasonCode"]["value"] for p in fake.payments.values()
    ]
    assert codes == ["FRT", "WO"]
