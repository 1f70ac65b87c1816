"""A tax system held in memory: a real, supported implementation for tests and dry runs."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from arbridge.connectors.errors import RecordRejectedError
from arbridge.domain.tax import CertificateUpload, NewTaxCustomer, TaxCertificate, TaxCustomer


class InMemoryTaxSystem:
    """Customers, certificates, uploads and invitations in dictionaries and lists."""

    def __init__(
        self,
        *,
        name: str = "tax",
        customers: Iterable[TaxCustomer] = (),
        certificates: Iterable[TaxCertificate] = (),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._name = name
        self._clock = clock
        self.customers = {c.customer_code: c for c in customers}
        self.certificates = {c.certificate_id: c for c in certificates}
        self.uploads: list[CertificateUpload] = []
        self.invitations: list[tuple[str, str]] = []

    @property
    def name(self) -> str:
        """The connector's name."""
        return self._name

    def list_customers(self, modified_since: datetime | None = None) -> Sequence[TaxCustomer]:
        """Customers changed after `modified_since` (all when None)."""
        return [c for c in self.customers.values() if _after(c.modified_at, modified_since)]

    def create_customers(self, customers: Sequence[NewTaxCustomer]) -> Sequence[TaxCustomer]:
        """Create customers; an existing code rejects the whole batch."""
        taken = [c.customer_code for c in customers if c.customer_code in self.customers]
        if taken:
            raise RecordRejectedError(self._name, f"customer code(s) exist: {', '.join(taken)}")
        now = self._clock()
        created = [
            TaxCustomer(
                customer_code=c.customer_code,
                name=c.name,
                alternate_id=c.alternate_id,
                modified_at=now,
            )
            for c in customers
        ]
        self.customers.update((c.customer_code, c) for c in created)
        return created

    def list_certificates(self, modified_since: datetime | None = None) -> Sequence[TaxCertificate]:
        """Certificates changed after `modified_since` (all when None)."""
        return [c for c in self.certificates.values() if _after(c.modified_at, modified_since)]

    def upload_certificate(self, upload: CertificateUpload) -> TaxCertificate:
        """File the document as a PENDING certificate linked to its customer."""
        if upload.customer_code not in self.customers:
            raise RecordRejectedError(
                self._name, f"Customer with code '{upload.customer_code}' not found."
            )
        cert = TaxCertificate(
            certificate_id=str(len(self.certificates) + 1000),
            customer_codes=(upload.customer_code,),
            signed_date=upload.signed_date,
            status="PENDING",
            exemption_reason=upload.exemption_reason,
            modified_at=self._clock(),
        )
        self.uploads.append(upload)
        self.certificates[cert.certificate_id] = cert
        return cert

    def request_certificate(self, customer_code: str, email: str) -> str:
        """Record the invitation."""
        if customer_code not in self.customers:
            raise RecordRejectedError(
                self._name, f"Customer with code '{customer_code}' not found."
            )
        self.invitations.append((customer_code, email))
        return f"invitation-{len(self.invitations)}"

    def approve(self, certificate_id: str, **changes: object) -> None:
        """What a person does in the tax system: complete and approve a certificate."""
        cert = self.certificates[certificate_id]
        fields: dict[str, Any] = {"status": "COMPLETE", "modified_at": self._clock(), **changes}
        self.certificates[certificate_id] = dataclasses.replace(cert, **fields)


def _after(when: datetime | None, since: datetime | None) -> bool:
    return since is None or when is None or when > since
