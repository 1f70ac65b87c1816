"""The rep comes from the ERP where it has one: BC `salesperson`, a QBO custom field (respx)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import respx

from arbridge.connectors.erp import business_central
from arbridge.connectors.erp._http import RateLimiter
from bench.erp_fakes import fake_bc
from tests.contracts.harness import NO_RETRY_SLEEP, demo_records


def test_business_central_salesperson_becomes_the_invoices_sales_rep(tmp_path: Path) -> None:
    customers, invoices = demo_records(tmp_path)
    with_rep = [dataclasses.replace(invoices[0], sales_rep="PS"), *invoices[1:]]
    fake = fake_bc.FakeBusinessCentral(customers, with_rep)
    gateway = business_central.build(
        name="bc",
        tenant="tenant-1",
        environment="Production",
        company="CRONUS",
        client_id="app-1",
        client_secret="s3cret-value",
        retry=NO_RETRY_SLEEP,
        limiter=RateLimiter(()),
        clock=lambda: 0.0,
    )
    with respx.mock(assert_all_called=False) as router:
        fake.install(router)
        fetched = {i.invoice_id: i for i in gateway.fetch_invoices()}
        selects = [c.request.url.params.get("$select", "") for c in router.calls]

    assert fetched[invoices[0].invoice_id].sales_rep == "PS"
    assert fetched[invoices[1].invoice_id].sales_rep is None  # BC's empty salesperson
    assert any("salesperson" in s.split(",") for s in selects)


def test_quickbooks_takes_the_rep_from_the_custom_field_the_config_names(tmp_path: Path) -> None:
    from arbridge.connectors.erp import quickbooks
    from arbridge.connectors.erp._http import FileRefreshTokenStore
    from bench.erp_fakes import fake_qbo

    customers, invoices = demo_records(tmp_path)
    with_rep = [dataclasses.replace(invoices[0], sales_rep="R-EAST"), *invoices[1:]]
    fake = fake_qbo.FakeQuickBooks(customers, with_rep)
    (tmp_path / "qbo.token").write_text(fake.refresh_token, encoding="utf-8")

    def gateway(field: str | None) -> quickbooks.QuickBooksErpGateway:
        return quickbooks.build(
            name="qbo",
            realm_id=fake_qbo.REALM,
            client_id="client-1",
            client_secret="qbo-s3cret",
            tokens=FileRefreshTokenStore(tmp_path / "qbo.token", connector="qbo"),
            retry=NO_RETRY_SLEEP,
            limiter=RateLimiter(()),
            sales_rep_field=field,
        )

    with respx.mock(assert_all_called=False) as router:
        fake.install(router)
        named = {i.invoice_id: i.sales_rep for i in gateway("sales rep").fetch_invoices()}
        unnamed = {i.sales_rep for i in gateway(None).fetch_invoices()}
        other = {i.sales_rep for i in gateway("Region").fetch_invoices()}

    assert named[invoices[0].invoice_id] == "R-EAST"
    assert named[invoices[1].invoice_id] is None
    assert unnamed == other == {None}


def test_acumatica_takes_the_salesperson_from_the_custom_field_the_config_names(
    tmp_path: Path,
) -> None:
    from bench.erp_fakes import fake_acumatica
    from tests.contracts.harness import build_acumatica

    customers, invoices = demo_records(tmp_path)
    with_rep = [dataclasses.replace(invoices[0], sales_rep="R-EAST"), *invoices[1:]]
    fake = fake_acumatica.FakeAcumatica(customers, with_rep)

    with respx.mock(assert_all_called=False) as router:
        named = build_acumatica(router, fake, sales_rep_field="Document.SalesPersonID")
        reps = {i.invoice_id: i.sales_rep for i in named.fetch_invoices()}
        asked = {c.request.url.params.get("$custom") for c in router.calls}
        plain = fake_acumatica.FakeAcumatica(customers, with_rep)
        unnamed = {i.sales_rep for i in build_acumatica(router, plain).fetch_invoices()}

    assert reps[invoices[0].invoice_id] == "R-EAST"
    assert reps[invoices[1].invoice_id] is None
    assert "Document.SalesPersonID" in asked
    assert unnamed == {None}
