"""The pure tax checks, one table per flag: what is flagged, and what is left alone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from arbridge.domain.records import Customer, Invoice
from arbridge.domain.tax import TaxCertificate, TaxFlag
from arbridge.taxcheck import (
    ShortPayment,
    by_customer,
    check_invoice,
    exemption_claim,
    expiring,
    missing_customers,
)

CA = TaxCertificate(
    certificate_id="88",
    customer_codes=("C001",),
    signed_date=date(2026, 1, 15),
    expiration_date=date(2026, 12, 31),
    region="CA",
    country="US",
    zone_name="California",
)


def _inv(
    *,
    tax: str | None = "10.00",
    region: str | None = "CA",
    on: date = date(2026, 10, 1),
    customer: str = "C001",
    amount: str = "110.00",
    open_amount: str | None = None,
    invoice_id: str = "INV-1",
) -> Invoice:
    return Invoice(
        invoice_id=invoice_id,
        customer_id=customer,
        invoice_date=on,
        due_date=on,
        amount=Decimal(amount),
        open_amount=Decimal(open_amount or amount),
        tax_amount=None if tax is None else Decimal(tax),
        ship_to_region=region,
    )


CERTS = by_customer([CA])


@pytest.mark.parametrize(
    ("invoice", "certs", "expected"),
    [
        pytest.param(_inv(), CERTS, TaxFlag.TAXED_DESPITE_CERTIFICATE, id="taxed-with-valid-cert"),
        pytest.param(_inv(region="ca"), CERTS, TaxFlag.TAXED_DESPITE_CERTIFICATE, id="region-case"),
        pytest.param(_inv(region="NV"), CERTS, None, id="taxed-other-region-ok"),
        pytest.param(_inv(on=date(2026, 1, 14)), CERTS, None, id="taxed-before-signed-ok"),
        pytest.param(_inv(on=date(2027, 1, 1)), CERTS, None, id="taxed-after-expiry-ok"),
        pytest.param(_inv(customer="C002"), CERTS, None, id="taxed-other-customer-ok"),
        pytest.param(_inv(tax="0.00"), CERTS, None, id="exempt-with-cert-ok"),
        pytest.param(_inv(tax="0.00"), {}, TaxFlag.EXEMPT_WITHOUT_CERTIFICATE, id="exempt-no-cert"),
        pytest.param(
            _inv(tax="0.00", on=date(2027, 2, 1)),
            CERTS,
            TaxFlag.EXEMPT_WITHOUT_CERTIFICATE,
            id="exempt-cert-expired",
        ),
        pytest.param(
            _inv(tax="0.00", region="NV"),
            CERTS,
            TaxFlag.EXEMPT_WITHOUT_CERTIFICATE,
            id="exempt-cert-other-region",
        ),
        pytest.param(_inv(tax=None), CERTS, None, id="tax-unknown-not-judged"),
        pytest.param(_inv(region=None, tax="0.00"), {}, None, id="region-unknown-not-judged"),
        pytest.param(_inv(tax="0.00", amount="0.00"), {}, None, id="zero-invoice-not-exempt"),
        pytest.param(_inv(), {}, None, id="taxed-no-cert-ok"),
    ],
)
def test_invoice_against_certificates(
    invoice: Invoice, certs: dict[str, list[TaxCertificate]], expected: TaxFlag | None
) -> None:
    """Each invoice gets the flag its tax and the certificates call for, or none."""
    finding = check_invoice(invoice, certs)

    assert (finding.flag if finding else None) is expected
    if finding is not None and expected is TaxFlag.TAXED_DESPITE_CERTIFICATE:
        assert finding.amount == Decimal("10.00")
        assert finding.certificate_id == "88"
        assert finding.key == "tax:taxed_despite_certificate:INV-1"


@pytest.mark.parametrize(
    ("changes", "covers"),
    [
        ({}, True),
        ({"status": "PENDING"}, False),
        ({"status": "REVOKED"}, False),
        ({"valid": False}, False),
        ({"region": None}, False),
        ({"expiration_date": None}, True),
    ],
)
def test_only_reviewed_valid_certificates_cover_a_sale(
    changes: dict[str, object], covers: bool
) -> None:
    """Pending, revoked, invalid or zone-less certificates exempt nothing."""
    import dataclasses

    cert = dataclasses.replace(CA, **changes)  # type: ignore[arg-type]  # keyword overrides of a test builder, checked at run time by the record's constructor

    assert cert.covers("CA", date(2026, 10, 1)) is covers


@pytest.mark.parametrize(
    ("paid", "invoices", "certs", "expected"),
    [
        pytest.param("100.00", [_inv()], CERTS, "credit memo", id="short-by-tax-with-cert"),
        pytest.param("100.00", [_inv()], {}, "request one", id="short-by-tax-without-cert"),
        pytest.param("105.00", [_inv()], CERTS, None, id="short-by-other-amount"),
        pytest.param("110.00", [_inv()], CERTS, None, id="paid-in-full"),
        pytest.param("100.00", [_inv(tax=None)], CERTS, None, id="tax-unknown"),
        pytest.param(
            "200.00",
            [_inv(), _inv(invoice_id="INV-2", tax="10.00")],
            CERTS,
            "credit memo",
            id="two-invoices-short-by-both-taxes",
        ),
        pytest.param(
            "210.00",
            [_inv(), _inv(invoice_id="INV-2", tax="5.00", amount="105.00")],
            CERTS,
            "credit memo",
            id="two-invoices-short-by-one-tax",
        ),
    ],
)
def test_short_payment_equal_to_tax_is_an_exemption_claim(
    paid: str, invoices: list[Invoice], certs: dict[str, list[TaxCertificate]], expected: str | None
) -> None:
    """The shortfall equal to the tax is a claim; the suggestion depends on the certificate."""
    payment = ShortPayment(
        subject="review:1", amount=Decimal(paid), invoice_ids=tuple(i.invoice_id for i in invoices)
    )

    finding = exemption_claim(payment, {i.invoice_id: i for i in invoices}, certs)

    if expected is None:
        assert finding is None
    else:
        assert finding is not None
        assert finding.flag is TaxFlag.EXEMPTION_CLAIM
        assert expected in finding.suggestion
        assert finding.amount == sum((i.open_amount for i in invoices), Decimal(0)) - Decimal(paid)


def test_exemption_claim_needs_every_named_invoice() -> None:
    """A payment naming an invoice we do not know is not judged."""
    payment = ShortPayment(subject="s", amount=Decimal("100.00"), invoice_ids=("INV-1", "INV-X"))

    assert exemption_claim(payment, {"INV-1": _inv()}, CERTS) is None


@pytest.mark.parametrize(
    ("today", "days", "changes", "flagged"),
    [
        (date(2026, 12, 1), 30, {}, True),
        (date(2026, 12, 31), 30, {}, True),
        (date(2026, 11, 30), 30, {}, False),
        (date(2027, 1, 1), 30, {}, False),
        (date(2026, 12, 1), 30, {"status": "REVOKED"}, False),
        (date(2026, 12, 1), 30, {"expiration_date": None}, False),
        (date(2026, 12, 31), 0, {}, True),
    ],
)
def test_certificates_expiring_within_n_days_become_renewal_tasks(
    today: date, days: int, changes: dict[str, object], flagged: bool
) -> None:
    """Only usable certificates ending between today and today + N days are flagged."""
    import dataclasses

    cert = dataclasses.replace(CA, **changes)  # type: ignore[arg-type]  # keyword overrides of a test builder, checked at run time by the record's constructor

    findings = expiring([cert], today=today, within_days=days)

    assert bool(findings) is flagged
    if flagged:
        assert findings[0].flag is TaxFlag.CERTIFICATE_EXPIRING
        assert findings[0].customer_id == "C001"
        assert findings[0].key == "tax:certificate_expiring:88:C001:2026-12-31"


def test_missing_customers_are_those_with_tax_relevant_invoices_only() -> None:
    """Customers with a ship-to region on an invoice and no tax-system record need set-up."""
    customers = [Customer(customer_id=c, name=c) for c in ("C001", "C002", "C003", "c004")]
    invoices = [
        _inv(customer="C001"),
        _inv(customer="C002"),
        _inv(customer="C003", region=None),
        _inv(customer="c004"),
    ]

    findings = missing_customers(customers, invoices, tax_codes=["C001", "C004"])

    assert [f.customer_id for f in findings] == ["C002", "c004"]  # codes are case-sensitive
    assert {f.flag for f in findings} == {TaxFlag.CUSTOMER_MISSING}
