"""Invoices against certificates: taxed although exempt, or exempt without a certificate."""

from __future__ import annotations

from collections.abc import Iterable

from arbridge.domain.money import format_money
from arbridge.domain.records import Invoice
from arbridge.domain.tax import TaxFinding, TaxFlag
from arbridge.taxcheck.certificates import CertificatesByCustomer, covering


def check_invoices(
    invoices: Iterable[Invoice], certificates: CertificatesByCustomer
) -> list[TaxFinding]:
    """Every finding on these invoices (see `check_invoice`)."""
    findings = []
    for invoice in invoices:
        finding = check_invoice(invoice, certificates)
        if finding is not None:
            findings.append(finding)
    return findings


def check_invoice(invoice: Invoice, certificates: CertificatesByCustomer) -> TaxFinding | None:
    """Compare one invoice's tax with the customer's certificates on the invoice date.

    Invoices whose tax amount or ship-to region is unknown are not judged. A zero tax
    amount on an invoice with a positive amount counts as posted exempt.

    Returns:
        A credit-memo candidate (taxed despite a valid certificate), an audit
        exposure (posted exempt with no valid certificate), or None.
    """
    tax, region = invoice.tax_amount, invoice.ship_to_region
    if tax is None or not region:
        return None
    cert = covering(certificates, invoice.customer_id, region, invoice.invoice_date)
    if tax > 0 and cert is not None:
        return TaxFinding(
            flag=TaxFlag.TAXED_DESPITE_CERTIFICATE,
            subject=invoice.invoice_id,
            message=f"invoice {invoice.invoice_id} charged {format_money(tax)} tax in {region} "
            f"although certificate {cert.certificate_id} exempted the customer on "
            f"{invoice.invoice_date.isoformat()}",
            suggestion=f"issue a credit memo of {format_money(tax)} for the tax",
            customer_id=invoice.customer_id,
            invoice_ids=(invoice.invoice_id,),
            certificate_id=cert.certificate_id,
            amount=tax,
        )
    if tax == 0 and invoice.amount > 0 and cert is None:
        return TaxFinding(
            flag=TaxFlag.EXEMPT_WITHOUT_CERTIFICATE,
            subject=invoice.invoice_id,
            message=f"invoice {invoice.invoice_id} was posted exempt in {region} but no valid "
            f"certificate of {invoice.customer_id} covered {invoice.invoice_date.isoformat()}",
            suggestion="obtain a certificate valid on the invoice date, or correct the invoice",
            customer_id=invoice.customer_id,
            invoice_ids=(invoice.invoice_id,),
        )
    return None
