"""A real ERP gateway with faults aimed at its next postings: 503, a lost answer, a refusal."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from arbridge.connectors.base import ErpCapability, InvoiceBatch, PostedRecord, PostResult
from arbridge.connectors.erp import CsvErpGateway, InMemoryErpGateway
from arbridge.connectors.errors import RecordRejectedError, TransientConnectorError
from arbridge.domain.records import Application, Customer, Invoice


@dataclass
class FaultyErp:
    """A real ERP gateway with faults aimed at its next postings (none by default).

    `transient`: nothing posted, the ERP said 503. `lost`: posted, the answer never came.
    `rejected`: nothing posted, the ERP refused it.
    """

    inner: CsvErpGateway | InMemoryErpGateway
    faults: list[str]

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def capabilities(self) -> frozenset[ErpCapability]:
        return self.inner.capabilities - {ErpCapability.BATCH}

    def fetch_customers(self) -> Sequence[Customer]:
        return self.inner.fetch_customers()

    def fetch_invoices(self) -> Sequence[Invoice]:
        return self.inner.fetch_invoices()

    def fetch_invoices_since(self, cursor: str | None) -> InvoiceBatch:
        return self.inner.fetch_invoices_since(cursor)

    def post_application(self, application: Application) -> PostResult:
        return self._faulted(lambda: self.inner.post_application(application))

    def reverse_application(self, application: Application, erp_reference: str) -> PostResult:
        return self._faulted(lambda: self.inner.reverse_application(application, erp_reference))

    def find_posted(self, keys: Collection[str] | None = None) -> Sequence[PostedRecord]:
        return self.inner.find_posted(keys)

    def overdrawn_invoices(self) -> Mapping[str, Decimal]:
        return self.inner.overdrawn_invoices()

    def _faulted(self, post: Callable[[], PostResult]) -> PostResult:
        fault = self.faults.pop(0) if self.faults else None
        if fault == "transient":
            raise TransientConnectorError(self.name, "503 Service Unavailable")
        if fault == "rejected":
            raise RecordRejectedError(self.name, "the ERP refused it")
        result = post()
        if fault == "lost":
            raise TransientConnectorError(self.name, "read timeout: the answer was lost")
        return result
