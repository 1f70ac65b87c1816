"""The invoice register: a rep outlives the ERP's open-invoice list, and follows its changes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal

from arbridge.domain.records import Customer, Invoice
from arbridge.store import Store, erp, register

NOW = datetime(2026, 11, 30, tzinfo=UTC)
CUSTOMER = Customer(customer_id="C1", name="Acme")


def _invoice(number: str, rep: str | None, **extra: object) -> Invoice:
    invoice = Invoice(
        invoice_id=number,
        customer_id="C1",
        invoice_date=date(2026, 11, 1),
        due_date=date(2026, 11, 30),
        amount=Decimal("100.00"),
        open_amount=Decimal("100.00"),
        sales_rep=rep,
    )
    return dataclasses.replace(invoice, **extra)  # type: ignore[arg-type]  # typed fields passed through


def _snapshot(store: Store, *invoices: Invoice) -> dict[str, str | None]:
    with store.transaction() as session:
        erp.save_snapshot(session, "books", [CUSTOMER], list(invoices), NOW)
    with store.transaction() as session:
        terms = register.invoice_terms(session, "books", ["I1", "I2", "I3"])
    return {k: t.sales_rep for k, t in terms.items()}


def test_a_paid_invoice_the_erp_stops_listing_keeps_its_rep(store: Store) -> None:
    assert _snapshot(store, _invoice("I1", "R1"), _invoice("I2", None)) == {"I1": "R1"}

    assert _snapshot(store, _invoice("I2", None)) == {"I1": "R1"}


def test_a_changed_or_removed_rep_is_followed(store: Store) -> None:
    _snapshot(store, _invoice("I1", "R1"), _invoice("I2", "R2"))

    assert _snapshot(store, _invoice("I1", "R9"), _invoice("I2", None)) == {"I1": "R9"}


def test_the_register_keeps_what_the_plan_needs(store: Store) -> None:
    full = _invoice(
        "I3",
        "R1=0.5;R2=0.5",
        kind="service",
        approved=False,
        tax_amount=Decimal("7.50"),
        freight_amount=Decimal("2.25"),
    )
    _snapshot(store, full)

    with store.transaction() as session:
        [terms] = register.invoice_terms(session, "books", ["I3"]).values()
    assert (terms.kind, terms.approved, terms.tax_amount, terms.freight_amount) == (
        "service",
        False,
        Decimal("7.50"),
        Decimal("2.25"),
    )
    assert (terms.customer_id, terms.amount) == ("C1", Decimal("100.00"))
