"""A small, realistic set of customers and invoices shared by the engine's tests."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from arbridge.domain.records import BankLine, Customer, Invoice
from arbridge.matching import MatchContext

CUSTOMERS = [
    Customer(customer_id="C100", name="Acme Industrial Supply Inc", terms="NET30"),
    Customer(customer_id="C101", name="Acme Industrial Services Inc", terms="NET30"),
    Customer(customer_id="C200", name="Brightwater Foods LLC", terms="2/10 NET30"),
    Customer(customer_id="C300", name="Northwestern Precision Manufacturing Group", terms="NET30"),
    Customer(customer_id="C301", name="Evergreen Outfitters Ltd", parent_id="C300", terms="NET30"),
    Customer(customer_id="C400", name="Delta Harbor Logistics Co", terms="NET45"),
    Customer(customer_id="C500", name="Johnson & Sons Co", terms="NET30"),
]


def _inv(
    invoice_id: str,
    customer_id: str,
    amount: str,
    *,
    open_amount: str | None = None,
    issued: date = date(2026, 10, 1),
    terms: str = "NET30",
    po: str | None = None,
    tax: str | None = None,
) -> Invoice:
    return Invoice(
        invoice_id=invoice_id,
        customer_id=customer_id,
        invoice_date=issued,
        due_date=issued + timedelta(days=30),
        amount=Decimal(amount),
        open_amount=Decimal(open_amount if open_amount is not None else amount),
        terms=terms,
        po_number=po,
        tax_amount=Decimal(tax) if tax is not None else None,
    )


INVOICES = [
    _inv("INV-0042", "C100", "1000.00", po="PO-7781"),
    _inv("INV-0043", "C100", "250.00"),
    _inv("INV-0044", "C100", "480.50"),
    _inv("INV-0050", "C100", "3000.00", open_amount="1500.00"),
    _inv("INV-0998", "C100", "640.00", open_amount="0.00", issued=date(2026, 9, 1)),
    _inv("INV-1100", "C200", "2000.00", issued=date(2026, 11, 1), terms="2/10 NET30"),
    _inv("INV-1101", "C200", "500.00", issued=date(2026, 10, 1), terms="2/10 NET30"),
    _inv("INV-2001", "C301", "430.00"),
    _inv("INV-2002", "C300", "900.00"),
    _inv("INV-3001", "C400", "760.00"),
    _inv("INV-3002", "C400", "760.00", issued=date(2026, 10, 2)),
    _inv("INV-3003", "C400", "1234.56"),
    _inv("INV-5001", "C500", "812.34"),
    _inv("INV-5002", "C500", "100.00"),
    _inv("INV-5003", "C500", "215.66"),
    _inv("INV-5004", "C500", "1500.00", tax="100.00"),
]


def context(**kwargs: object) -> MatchContext:
    """The shared books as a match context (extra fields such as hints passed through)."""
    return MatchContext(
        customers={c.customer_id: c for c in CUSTOMERS},
        invoices=INVOICES,
        **kwargs,  # type: ignore[arg-type]  # keyword overrides of a test builder, checked at run time by the record's constructor
    )


def line(
    description: str,
    amount: str,
    *,
    on: date = date(2026, 11, 6),
    bank_id: str = "TX1",
    **extra: object,
) -> BankLine:
    """A credit line on the operating account."""
    return BankLine(
        account="operating",
        bank_id=bank_id,
        booked_on=on,
        amount=Decimal(amount),
        currency="USD",
        description=description,
        **extra,  # type: ignore[arg-type]  # keyword overrides of a test builder, checked at run time by the record's constructor
    )
