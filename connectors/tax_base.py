"""The tax-system role: customers and exemption certificates (AvaTax, or one in memory).

Implementations live in `connectors.tax`, one module each (`AvaTaxSystem`,
`InMemoryTaxSystem`). Errors are the ones in `connectors.errors`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from arbridge.domain.tax import CertificateUpload, NewTaxCustomer, TaxCertificate, TaxCustomer


class TaxSystem(Protocol):
    """Where exemption and resale certificates are kept and linked to customers."""

    @property
    def name(self) -> str:
        """The connector's configured name."""
        ...

    def list_customers(self, modified_since: datetime | None = None) -> Sequence[TaxCustomer]:
        """Customers changed after `modified_since` (every customer when None).

        Raises:
            ConnectorError: the tax system could not be read (subclass says whether to retry).
        """
        ...

    def create_customers(self, customers: Sequence[NewTaxCustomer]) -> Sequence[TaxCustomer]:
        """Create customers; their codes must not exist yet.

        Raises:
            RecordRejectedError: the tax system refused them (e.g. a code already exists).
            ConnectorError: any other failure.
        """
        ...

    def list_certificates(self, modified_since: datetime | None = None) -> Sequence[TaxCertificate]:
        """Certificates changed after `modified_since` (every certificate when None), with customers.

        Raises:
            ConnectorError: the tax system could not be read.
        """
        ...

    def upload_certificate(self, upload: CertificateUpload) -> TaxCertificate:
        """File a certificate document and link it to its customer, never marking it approved.

        The certificate is left for a person to complete and approve in the tax system.
        Not idempotent: the caller must remember what it uploaded.

        Raises:
            RecordRejectedError: the tax system refused the document or the link.
            ConnectorError: any other failure.
        """
        ...

    def request_certificate(self, customer_code: str, email: str) -> str:
        """Invite a customer to send a certificate (CertExpress); returns a reference.

        Raises:
            RecordRejectedError: the invitation was refused.
            PermanentConnectorError: this tax system cannot send invitations.
        """
        ...
