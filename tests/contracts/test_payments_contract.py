"""The posted-payments reader role: every ERP connector has it (or would say here that it lacks it).

Each implementation reads the same payments recorded by people (tests/contracts/
fake_payments.py): a check paying two invoices, money left on account, and a payment
arbridge posted itself, which must never come back as someone else's recording.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import respx

from arbridge.connectors.base import PostedPaymentReader
from arbridge.connectors.erp import CsvPaymentReader, InMemoryPaymentReader
from arbridge.connectors.erp._http import FileRefreshTokenStore, RateLimiter
from arbridge.connectors.erp.acumatica import payments as acumatica_payments
from arbridge.connectors.erp.business_central import payments as bc_payments
from arbridge.connectors.erp.quickbooks import payments as qbo_payments
from arbridge.domain.posted import PostedAllocation, PostedPayment
from tests.contracts import fake_payments
from tests.contracts.harness import KINDS, NO_RETRY_SLEEP

LACKING: dict[str, str] = {}
"""ERP kinds without the role, each with the reason (none today)."""

CSV = """payment_id,customer_id,invoice_id,amount,date,reference,memo
PAY-A,58,INV-1001,750.00,2026-11-03,CHK-55821,Lockbox
PAY-A,58,INV-1002,250.00,2026-11-03,CHK-55821,Lockbox
PAY-B,58,,100.00,2026-11-04,,
"""


@dataclass
class Reader:
    reader: PostedPaymentReader
    incremental: bool


def _memory() -> InMemoryPaymentReader:
    def pay(
        pid: str, on: date, allocs: tuple[tuple[str | None, str], ...], ref: str
    ) -> PostedPayment:
        return PostedPayment(
            payment_id=pid,
            customer_id="58",
            paid_on=on,
            allocations=tuple(PostedAllocation(invoice_id=i, amount=Decimal(a)) for i, a in allocs),
            reference=ref,
            memo="Lockbox" if ref else "",
        )

    reader = InMemoryPaymentReader(name="memory")
    reader.record(
        pay(
            "PAY-A",
            date(2026, 11, 3),
            (("INV-1001", "750.00"), ("INV-1002", "250.00")),
            "CHK-55821",
        )
    )
    reader.record(pay("PAY-B", date(2026, 11, 4), ((None, "100.00"),), ""))
    return reader


def _build(kind: str, tmp_path: Path, router: respx.MockRouter) -> Reader:
    limits = {"retry": NO_RETRY_SLEEP, "limiter": RateLimiter(())}
    if kind == "memory":
        return Reader(_memory(), incremental=True)
    if kind == "csv":
        (tmp_path / "payments.csv").write_text(CSV, encoding="utf-8")
        return Reader(CsvPaymentReader(name="books", path=tmp_path / "payments.csv"), True)
    if kind == "quickbooks":
        fake_payments.install_qbo(router)
        token = tmp_path / "qbo.token"
        token.write_text("rt-0", encoding="utf-8")
        qbo = qbo_payments.build_reader(
            name="qbo",
            realm_id="9341453000000001",
            client_id="client-1",
            client_secret="qbo-s3cret",
            tokens=FileRefreshTokenStore(token, connector="qbo"),
            **limits,  # type: ignore[arg-type]  # per-ERP limits passed through to each builder's own keywords
        )
        return Reader(qbo, incremental=True)
    if kind == "acumatica":
        fake_payments.install_acumatica(router)
        acu = acumatica_payments.build_reader(
            name="acu",
            site=fake_payments.ACU_SITE,
            endpoint_version="24.200.001",
            username="apiuser",
            password="acu-s3cret",
            company="MyTenant",
            **limits,  # type: ignore[arg-type]  # per-ERP limits passed through to each builder's own keywords
        )
        return Reader(acu, incremental=True)
    assert kind == "business_central"
    fake_payments.install_bc(router)
    bc = bc_payments.build_reader(
        name="bc",
        tenant="tenant-1",
        environment="Production",
        company="CRONUS",
        client_id="app-1",
        client_secret="s3cret-value",
        **limits,  # type: ignore[arg-type]  # per-ERP limits passed through to each builder's own keywords
    )
    return Reader(bc, incremental=False)


@pytest.fixture(params=[k for k in KINDS if k not in LACKING])
def erp(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Reader]:
    with respx.mock(assert_all_called=False) as router:
        yield _build(request.param, tmp_path, router)


def _view(
    payments: list[PostedPayment],
) -> dict[str, tuple[str, date, list[tuple[str | None, Decimal]]]]:
    return {
        p.reference or f"on account {p.amount}": (
            p.customer_id,
            p.paid_on,
            sorted(((a.invoice_id, a.amount) for a in p.allocations), key=str),
        )
        for p in payments
    }


def test_every_erp_kind_has_the_role_or_says_why_not() -> None:
    assert set(KINDS) == {*LACKING, "memory", "csv", "quickbooks", "acumatica", "business_central"}
    assert all(reason.strip() for reason in LACKING.values())


def test_reads_each_recorded_payment_with_its_invoices_and_exact_money(erp: Reader) -> None:
    batch = erp.reader.fetch_payments_since(None)

    assert _view(list(batch.payments)) == {
        "CHK-55821": (
            "58",
            date(2026, 11, 3),
            [("INV-1001", Decimal("750.00")), ("INV-1002", Decimal("250.00"))],
        ),
        "on account 100.00": ("58", date(2026, 11, 4), [(None, Decimal("100.00"))]),
    }
    [check] = [p for p in batch.payments if p.reference == "CHK-55821"]
    assert check.memo == "Lockbox"
    assert all(isinstance(a.amount, Decimal) for p in batch.payments for a in p.allocations)


def test_arbridge_own_postings_are_never_read_as_recorded_by_people(erp: Reader) -> None:
    batch = erp.reader.fetch_payments_since(None)

    assert not [p for p in batch.payments if p.reference.startswith("AB0123")]
    assert not [p for p in batch.payments if "INV-1003" in p.invoice_ids]


def test_a_read_from_the_cursor_returns_only_what_changed(erp: Reader) -> None:
    first = erp.reader.fetch_payments_since(None)

    again = erp.reader.fetch_payments_since(first.cursor)

    if not erp.incremental:
        assert first.cursor is None
        assert len(again.payments) == len(first.payments)
        return
    assert first.cursor is not None
    assert first.complete
    assert list(again.payments) == []
    assert not again.complete
