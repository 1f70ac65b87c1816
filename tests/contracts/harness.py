"""Every ERP implementation behind one harness: the gateway plus a probe of the ERP's own state."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import respx

from arbridge.connectors.base import ErpGateway
from arbridge.connectors.erp import (
    CsvErpGateway,
    InMemoryErpGateway,
    acumatica,
    business_central,
    quickbooks,
)
from arbridge.connectors.erp._http import FileRefreshTokenStore, RateLimiter, RetryPolicy
from arbridge.domain.records import Customer, Invoice
from bench.erp_fakes import fake_acumatica, fake_bc, fake_qbo
from tests.conftest import DEMO

KINDS = ("memory", "csv", "business_central", "acumatica", "quickbooks")
NO_RETRY_SLEEP = RetryPolicy(attempts=4, sleep=lambda _s: None)


@dataclass
class Harness:
    """A gateway, what the ERP says is still owed on an invoice, and a way to change one elsewhere."""

    gateway: ErpGateway
    owed: Callable[[str], Decimal]
    change: Callable[[str, Decimal], None] | None
    fake: object = None


def demo_records(tmp_path: Path) -> tuple[list[Customer], list[Invoice]]:
    """The demo ERP data, read through the contract's csv reader."""
    shutil.copytree(DEMO / "erp", tmp_path / "seed")
    seed = CsvErpGateway(
        name="seed",
        customers=tmp_path / "seed" / "customers.csv",
        invoices=tmp_path / "seed" / "invoices.csv",
        applications=tmp_path / "seed" / "none.csv",
    )
    return list(seed.fetch_customers()), list(seed.fetch_invoices())


def build_bc(
    router: respx.MockRouter, fake: fake_bc.FakeBusinessCentral, **kw: object
) -> ErpGateway:
    """A BC gateway wired to the fake."""
    fake.install(router)
    return business_central.build(
        name="bc",
        tenant="tenant-1",
        environment="Production",
        company="CRONUS",
        client_id="app-1",
        client_secret="s3cret-value",
        retry=NO_RETRY_SLEEP,
        limiter=RateLimiter(()),
        **kw,  # type: ignore[arg-type]  # keyword overrides of a test builder, checked at run time by the record's constructor
    )


def build_qbo(
    router: respx.MockRouter,
    fake: fake_qbo.FakeQuickBooks,
    token_file: Path,
    *,
    discount_item: str | None = None,
    write_off_item: str | None = None,
) -> ErpGateway:
    """A QBO gateway wired to the fake, its refresh token in `token_file`."""
    fake.install(router)
    if not token_file.exists():
        token_file.write_text(fake.refresh_token, encoding="utf-8")
    return quickbooks.build(
        name="qbo",
        realm_id=fake_qbo.REALM,
        client_id="client-1",
        client_secret="qbo-s3cret",
        tokens=FileRefreshTokenStore(token_file, connector="qbo"),
        retry=NO_RETRY_SLEEP,
        limiter=RateLimiter(()),
        discount_item=discount_item,
        write_off_item=write_off_item,
    )


def build_acumatica(
    router: respx.MockRouter, fake: fake_acumatica.FakeAcumatica, **kw: object
) -> acumatica.AcumaticaErpGateway:
    """An Acumatica gateway wired to the fake."""
    fake.install(router)
    settings: dict[str, object] = {"cash_account": "10200", "sleep": lambda _s: None, **kw}
    return acumatica.build(
        name="acu",
        site=fake_acumatica.SITE,
        endpoint_version="24.200.001",
        username="apiuser",
        password="acu-s3cret",
        company="MyTenant",
        payment_method="CHECK",
        write_off_reason="WO",
        retry=NO_RETRY_SLEEP,
        limiter=RateLimiter(()),
        **settings,  # type: ignore[arg-type]  # keyword overrides of a test builder, checked at run time by the record's constructor
    )


@contextmanager
def harness(kind: str, tmp_path: Path) -> Iterator[Harness]:
    """The harness of one implementation, with its HTTP fake mounted when it has one."""
    customers, invoices = demo_records(tmp_path)
    with respx.mock(assert_all_called=False) as router:
        yield _make(kind, tmp_path, router, customers, invoices)


def _make(
    kind: str,
    tmp_path: Path,
    router: respx.MockRouter,
    customers: list[Customer],
    invoices: list[Invoice],
) -> Harness:
    if kind == "memory":
        mem = InMemoryErpGateway(name="memory", customers=customers, invoices=invoices)
        return Harness(
            mem,
            lambda n: mem.invoices[n].open_amount,
            lambda n, a: mem.put_invoice(_with(mem.invoices[n], a)),
        )
    if kind == "csv":
        shutil.copytree(DEMO / "erp", tmp_path / "erp")
        csv = CsvErpGateway(
            name="books",
            customers=tmp_path / "erp" / "customers.csv",
            invoices=tmp_path / "erp" / "invoices.csv",
            applications=tmp_path / "out" / "applications.csv",
        )
        return Harness(
            csv,
            lambda n: next(i.open_amount for i in csv.fetch_invoices() if i.invoice_id == n),
            None,
        )
    if kind == "business_central":
        bc = fake_bc.FakeBusinessCentral(customers, invoices)
        return Harness(
            build_bc(router, bc),
            lambda n: bc.invoices[n].invoice.open_amount - bc.journal_amount(n),
            lambda n, a: bc.touch(n, open_amount=a),
            bc,
        )
    if kind == "acumatica":
        acu = fake_acumatica.FakeAcumatica(customers, invoices)
        return Harness(
            build_acumatica(router, acu),
            lambda n: acu.invoices[n].open_amount,
            lambda n, a: acu.touch(n, open_amount=a),
            acu,
        )
    qbo = fake_qbo.FakeQuickBooks(customers, invoices)
    return Harness(
        build_qbo(router, qbo, tmp_path / "qbo.token", discount_item="21", write_off_item="22"),
        lambda n: qbo.invoices[n].open_amount,
        lambda n, a: qbo.touch(n, open_amount=a),
        qbo,
    )


def _with(invoice: Invoice, amount: Decimal) -> Invoice:
    from dataclasses import replace

    return replace(invoice, open_amount=amount)
