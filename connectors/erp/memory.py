"""An ERP held in memory: a real, supported implementation for tests and dry runs."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from connectors.base import PostOutcome, PostResult
from connectors.errors import RecordRejectedError
from domain.records import Application, Customer, Invoice


class InMemoryErpGateway:
    """Keeps customers, invoices and posted applications in dictionaries."""

    def __init__(
        self,
        *,
        name: str = "memory",
        customers: Iterable[Customer] = (),
        invoices: Iterable[Invoice] = (),
    ):
        self._name = name
        self.customers = {c.customer_id: c for c in customers}
        self.invoices = {i.invoice_id: i for i in invoices}
        self.posted: dict[str, Application] = {}

    @property
    def name(self) -> str:
        """The connector's name."""
        return self._name

    def fetch_customers(self) -> Sequence[Customer]:
        """Every customer."""
        return list(self.customers.values())

    def fetch_invoices(self) -> Sequence[Invoice]:
        """Every invoice with its current open amount."""
        return list(self.invoices.values())

    def post_application(self, application: Application) -> PostResult:
        """Reduce the invoices' open amounts, once per idempotency key."""
        if application.idempotency_key in self.posted:
            return PostResult(
                outcome=PostOutcome.ALREADY_POSTED, erp_reference=application.idempotency_key
            )
        for allocation in application.allocations:
            if allocation.invoice_id is None:
                continue
            invoice = self.invoices.get(allocation.invoice_id)
            closing = allocation.amount + allocation.adjustment
            if invoice is None or closing > invoice.open_amount:
                raise RecordRejectedError(
                    self._name, f"invoice {allocation.invoice_id} cannot take {closing}"
                )
        for allocation in application.allocations:
            if allocation.invoice_id is not None:
                invoice = self.invoices[allocation.invoice_id]
                remaining = invoice.open_amount - allocation.amount - allocation.adjustment
                self.invoices[invoice.invoice_id] = dataclasses.replace(
                    invoice, open_amount=remaining
                )
        self.posted[application.idempotency_key] = application
        return PostResult(outcome=PostOutcome.POSTED, erp_reference=application.idempotency_key)
