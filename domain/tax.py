"""Tax-system records: customers, exemption certificates, and what the tax checks found."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

COMPLETE = "COMPLETE"
"""The certificate status that means a person finished reviewing it in the tax system."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxCustomer:
    """A customer as the tax system knows it; `customer_code` equals the ERP customer id."""

    customer_code: str
    name: str = ""
    alternate_id: str | None = None
    email: str | None = None
    modified_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxCertificate:
    """An exemption or resale certificate and the customers it is linked to.

    `status` is the tax system's review state (`COMPLETE`, `PENDING`, `REVOKED`, ...);
    `valid` is its own verdict (False: ignored for exemption).
    """

    certificate_id: str
    customer_codes: tuple[str, ...]
    signed_date: date
    expiration_date: date | None = None
    region: str | None = None
    country: str | None = None
    zone_name: str | None = None
    status: str = COMPLETE
    valid: bool = True
    exemption_number: str | None = None
    exemption_reason: str | None = None
    modified_at: datetime | None = None

    @property
    def usable(self) -> bool:
        """Whether the certificate can exempt anything at all (reviewed, valid, not revoked)."""
        return self.valid and self.status.upper() == COMPLETE

    def covers(self, region: str, on: date) -> bool:
        """Whether it exempts a sale shipped to `region` on day `on`."""
        if not self.usable or self.region is None:
            return False
        if self.region.strip().upper() != region.strip().upper():
            return False
        if on < self.signed_date:
            return False
        return self.expiration_date is None or on <= self.expiration_date


@dataclass(frozen=True, slots=True, kw_only=True)
class NewTaxCustomer:
    """A customer to create in the tax system (from the ERP's customer record)."""

    customer_code: str
    name: str
    alternate_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CertificateUpload:
    """A certificate document to file for a customer; a person completes and approves it."""

    customer_code: str
    filename: str
    content: bytes
    signed_date: date
    exemption_reason: str = "RESALE"


class TaxFlag(StrEnum):
    """What a tax check found. Values are stable: they appear in review items' dedupe keys."""

    TAXED_DESPITE_CERTIFICATE = "taxed_despite_certificate"
    EXEMPT_WITHOUT_CERTIFICATE = "exempt_without_certificate"
    EXEMPTION_CLAIM = "exemption_claim"
    CERTIFICATE_EXPIRING = "certificate_expiring"
    CUSTOMER_MISSING = "customer_missing"
    CERTIFICATE_UPLOADED = "certificate_uploaded"


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxFinding:
    """One thing a person should look at, with the action suggested.

    `subject` identifies what the finding is about (an invoice id, a certificate id,
    a customer code, a bank line) so the same finding is queued only once.
    """

    flag: TaxFlag
    subject: str
    message: str
    suggestion: str
    customer_id: str | None = None
    invoice_ids: tuple[str, ...] = ()
    certificate_id: str | None = None
    amount: Decimal | None = None

    @property
    def key(self) -> str:
        """A stable identity for deduplicating review items."""
        return f"tax:{self.flag.value}:{self.subject}"
