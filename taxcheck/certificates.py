"""Questions about a customer's certificates: which cover a sale, which expire soon, who is missing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

from arbridge.domain.records import Customer, Invoice
from arbridge.domain.tax import TaxCertificate, TaxFinding, TaxFlag

CertificatesByCustomer = Mapping[str, Sequence[TaxCertificate]]


def by_customer(certificates: Iterable[TaxCertificate]) -> dict[str, list[TaxCertificate]]:
    """Certificates grouped under each customer code they are linked to."""
    grouped: dict[str, list[TaxCertificate]] = {}
    for cert in certificates:
        for code in cert.customer_codes:
            grouped.setdefault(code, []).append(cert)
    return grouped


def covering(
    certificates: CertificatesByCustomer, customer_id: str, region: str, on: date
) -> TaxCertificate | None:
    """A certificate of the customer exempting sales to `region` on day `on`, if any."""
    for cert in certificates.get(customer_id, ()):
        if cert.covers(region, on):
            return cert
    return None


def expiring(
    certificates: Iterable[TaxCertificate], *, today: date, within_days: int
) -> list[TaxFinding]:
    """Renewal tasks for usable certificates that expire between today and `within_days` from now."""
    horizon = today + timedelta(days=within_days)
    findings = []
    for cert in certificates:
        ends = cert.expiration_date
        if not cert.usable or ends is None or not today <= ends <= horizon:
            continue
        zone = cert.zone_name or cert.region or "its zone"
        for code in cert.customer_codes or ("",):
            findings.append(
                TaxFinding(
                    flag=TaxFlag.CERTIFICATE_EXPIRING,
                    subject=f"{cert.certificate_id}:{code}:{ends.isoformat()}",
                    message=f"certificate {cert.certificate_id} ({zone}) of {code or 'no customer'} "
                    f"expires on {ends.isoformat()}, in {(ends - today).days} day(s)",
                    suggestion="ask the customer for a renewed certificate (arbridge tax request)",
                    customer_id=code or None,
                    certificate_id=cert.certificate_id,
                )
            )
    return findings


def missing_customers(
    customers: Iterable[Customer], invoices: Iterable[Invoice], tax_codes: Iterable[str]
) -> list[TaxFinding]:
    """Set-up tasks for ERP customers with tax-relevant invoices that the tax system lacks.

    A customer is tax-relevant when one of its invoices carries a ship-to region.
    Customer codes are compared exactly: the tax system treats them case-sensitively.
    """
    known = set(tax_codes)
    relevant = {inv.customer_id for inv in invoices if inv.ship_to_region}
    return [
        TaxFinding(
            flag=TaxFlag.CUSTOMER_MISSING,
            subject=c.customer_id,
            message=f"customer {c.customer_id} ({c.name}) is not set up in the tax system",
            suggestion="create it in the tax system (arbridge tax setup)",
            customer_id=c.customer_id,
        )
        for c in customers
        if c.customer_id in relevant and c.customer_id not in known
    ]
