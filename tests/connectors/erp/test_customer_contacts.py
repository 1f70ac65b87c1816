"""Customers' contact details read from each ERP's documented customer shape (respx fakes)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import respx

from arbridge.domain.records import Customer
from bench.erp_fakes import fake_acumatica, fake_bc, fake_qbo
from tests.contracts.harness import build_acumatica, build_bc, build_qbo, demo_records


def _with_contacts(tmp_path: Path) -> tuple[list[Customer], list[object]]:
    customers, invoices = demo_records(tmp_path)
    first = dataclasses.replace(customers[0], email="ap@acme.example", phone="+1 555 0100")
    return [first, *customers[1:]], list(invoices)


def _contacts(customers: list[Customer]) -> dict[str, tuple[str | None, str | None]]:
    return {c.customer_id: (c.email, c.phone) for c in customers}


def test_business_central_email_and_phone_number(tmp_path: Path) -> None:
    customers, invoices = _with_contacts(tmp_path)
    fake = fake_bc.FakeBusinessCentral(customers, invoices)  # type: ignore[arg-type]  # invoices as read
    with respx.mock(assert_all_called=False) as router:
        got = _contacts(list(build_bc(router, fake).fetch_customers()))
        asked = [
            c.request.url.params["$select"]
            for c in router.calls
            if "customers" in str(c.request.url)
        ]
    assert got["C001"] == ("ap@acme.example", "+1 555 0100")
    assert got["C002"] == (None, None)  # BC's "" is no address
    assert "email" in asked[-1].split(",")
    assert "phoneNumber" in asked[-1].split(",")


def test_quickbooks_primary_email_and_phone(tmp_path: Path) -> None:
    customers, invoices = _with_contacts(tmp_path)
    fake = fake_qbo.FakeQuickBooks(customers, invoices)  # type: ignore[arg-type]  # invoices as read
    with respx.mock(assert_all_called=False) as router:
        got = _contacts(list(build_qbo(router, fake, tmp_path / "qbo.token").fetch_customers()))
    assert got["C001"] == ("ap@acme.example", "+1 555 0100")
    assert got["C002"] == (None, None)  # no PrimaryEmailAddr at all


def test_acumatica_main_contact_email_and_phone1(tmp_path: Path) -> None:
    customers, invoices = _with_contacts(tmp_path)
    fake = fake_acumatica.FakeAcumatica(customers, invoices)  # type: ignore[arg-type]  # invoices as read
    with respx.mock(assert_all_called=False) as router:
        got = _contacts(list(build_acumatica(router, fake).fetch_customers()))
        asked = [
            c.request.url.params for c in router.calls if c.request.url.path.endswith("/Customer")
        ]
    assert got["C001"] == ("ap@acme.example", "+1 555 0100")
    assert got["C002"] == (None, None)
    assert asked[-1]["$expand"] == "MainContact"
    assert "MainContact/Email" in asked[-1]["$select"]
