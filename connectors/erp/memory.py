"""An ERP held in memory: a real, supported implementation for tests and dry runs."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal

from arbridge.connectors.base import (
    ErpCapability,
    InvoiceBatch,
    PostedRecord,
    PostOutcome,
    PostResult,
    needed_capabilities,
)
from arbridge.connectors.errors import RecordRejectedError
from arbridge.domain.records import Application, Customer, Invoice

CAPABILITIES = frozenset(ErpCapability) - {ErpCapability.BATCH}


class InMemoryErpGateway:
    """Keeps customers, invoices and posted applications in dictionaries.

    Every invoice change bumps a counter; the incremental cursor is that counter.
    """

    def __init__(
        self,
        *,
        name: str = "memory",
        customers: Iterable[Customer] = (),
        invoices: Iterable[Invoice] = (),
        capabilities: frozenset[ErpCapability] = CAPABILITIES,
    ):
        self._name = name
        self._capabilities = capabilities
        self.customers = {c.customer_id: c for c in customers}
        self.invoices: dict[str, Invoice] = {}
        self.posted: dict[str, Application] = {}
        self.reversed: dict[str, Application] = {}
        """Undone applications, by the idempotency key of the reversal that undid them."""
        self.reversed_recorded: dict[str, Application] = {}
        """Payments people recorded that were reversed, by payment id."""
        self._version = 0
        self._changed_at: dict[str, int] = {}
        for invoice in invoices:
            self.put_invoice(invoice)

    @property
    def name(self) -> str:
        """The connector's name."""
        return self._name

    @property
    def capabilities(self) -> frozenset[ErpCapability]:
        """Everything, unless the test narrowed it."""
        return self._capabilities

    def put_invoice(self, invoice: Invoice) -> None:
        """Add or change an invoice, as a user of the ERP would."""
        self._version += 1
        self.invoices[invoice.invoice_id] = invoice
        self._changed_at[invoice.invoice_id] = self._version

    def fetch_customers(self) -> Sequence[Customer]:
        """Every customer."""
        return list(self.customers.values())

    def fetch_invoices(self) -> Sequence[Invoice]:
        """Every invoice with its current open amount."""
        return list(self.invoices.values())

    def fetch_invoices_since(self, cursor: str | None) -> InvoiceBatch:
        """Invoices changed after the change counter in `cursor`."""
        since = int(cursor) if cursor else 0
        changed = [self.invoices[i] for i, v in self._changed_at.items() if v > since]
        return InvoiceBatch(invoices=changed, cursor=str(self._version))

    def post_application(self, application: Application) -> PostResult:
        """Reduce the invoices' open amounts, once per idempotency key."""
        if application.idempotency_key in self.posted:
            return PostResult(
                outcome=PostOutcome.ALREADY_POSTED, erp_reference=application.idempotency_key
            )
        missing = needed_capabilities(application) - self._capabilities
        if missing:
            raise RecordRejectedError(
                self._name, f"cannot post {', '.join(sorted(missing))} adjustments"
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
        self._apply(application, sign=1)
        self.posted[application.idempotency_key] = application
        return PostResult(outcome=PostOutcome.POSTED, erp_reference=application.idempotency_key)

    def reverse_application(self, application: Application, erp_reference: str) -> PostResult:
        """Give the invoices their open amounts back and forget the posting, once per key.

        Reversing again under the same `application.idempotency_key` changes nothing and
        answers ALREADY_POSTED (a retry after a lost answer).
        """
        if application.idempotency_key in self.reversed:
            return PostResult(outcome=PostOutcome.ALREADY_POSTED, erp_reference=erp_reference)
        posted = self.posted.pop(erp_reference, None)
        if posted is None:
            raise RecordRejectedError(self._name, f"no posted application {erp_reference}")
        self._apply(posted, sign=-1)
        self.reversed[application.idempotency_key] = posted
        return PostResult(outcome=PostOutcome.POSTED, erp_reference=erp_reference)

    def reverse_recorded_payment(self, application: Application, payment_id: str) -> PostResult:
        """Give back what a payment a person recorded took off its invoices, once per payment."""
        if payment_id in self.reversed_recorded:
            return PostResult(outcome=PostOutcome.ALREADY_POSTED, erp_reference=payment_id)
        self._apply(application, sign=-1)
        self.reversed_recorded[payment_id] = application
        return PostResult(outcome=PostOutcome.POSTED, erp_reference=payment_id)

    def find_posted(self, keys: Collection[str] | None = None) -> Sequence[PostedRecord]:
        """The allocations of the applications it holds (reversed ones are gone)."""
        return [
            PostedRecord(
                key=key,
                bank_account=app.bank_account,
                bank_id=app.bank_id,
                invoice_id=a.invoice_id,
                amount=a.amount,
                adjustment=a.adjustment,
                erp_reference=key,
            )
            for key, app in self.posted.items()
            if keys is None or key in keys
            for a in app.allocations
        ]

    def overdrawn_invoices(self) -> Mapping[str, Decimal]:
        """Invoices whose open amount went below zero."""
        return {i: -inv.open_amount for i, inv in self.invoices.items() if inv.open_amount < 0}

    def _apply(self, application: Application, *, sign: int) -> None:
        for allocation in application.allocations:
            if allocation.invoice_id is None:
                continue
            invoice = self.invoices[allocation.invoice_id]
            closing = allocation.amount + allocation.adjustment
            self.put_invoice(
                dataclasses.replace(invoice, open_amount=invoice.open_amount - sign * closing)
            )
