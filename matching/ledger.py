"""Open amounts as they stand while a batch is matched, and who belongs to whose family."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from arbridge.domain.records import Customer, Invoice
from arbridge.matching.amounts import Open
from arbridge.matching.postings import Postings
from arbridge.matching.terms import Terms, parse_terms


class Ledger:
    """Invoices by id and customer; `take` books what a decision applies."""

    def __init__(self, customers: Mapping[str, Customer], invoices: Sequence[Invoice]) -> None:
        self.customers = customers
        self.by_id: dict[str, Invoice] = {}
        self.remaining: dict[str, Decimal] = {}
        self._by_customer: dict[str, list[str]] = {}
        self._by_amount: Postings[Decimal] | None = None
        self._children: dict[str, list[str]] = {}
        for customer in customers.values():
            if customer.parent_id:
                self._children.setdefault(customer.parent_id, []).append(customer.customer_id)
        for inv in sorted(invoices, key=lambda i: (i.due_date, i.invoice_id)):
            self.by_id[inv.invoice_id] = inv
            self.remaining[inv.invoice_id] = inv.open_amount
            self._by_customer.setdefault(inv.customer_id, []).append(inv.invoice_id)

    def family(self, customer_id: str) -> list[str]:
        """The customer and the subsidiaries whose invoices it may pay."""
        return [customer_id, *sorted(self._children.get(customer_id, ()))]

    def related(self, payer: str, owner: str) -> bool:
        """Whether `payer` may pay an invoice of `owner` (same customer or its parent)."""
        if payer == owner:
            return True
        customer = self.customers.get(owner)
        return customer is not None and customer.parent_id == payer

    def invoices_of(self, customer_ids: Iterable[str]) -> list[Invoice]:
        """Every invoice (open or not) of the customers, oldest due first."""
        return [self.by_id[i] for c in customer_ids for i in self._by_customer.get(c, ())]

    def open_of(self, customer_ids: Iterable[str]) -> list[Open]:
        """Open invoices of the customers with what is still open, oldest due first."""
        return [
            (inv, self.remaining[inv.invoice_id])
            for inv in self.invoices_of(customer_ids)
            if self.remaining[inv.invoice_id] > 0
        ]

    def open_at(self, amount: Decimal) -> list[Invoice]:
        """Open invoices of any customer whose open amount is exactly `amount`."""
        if self._by_amount is None:  # built on first use, by the first line whose payer is unknown
            self._by_amount = Postings()
            for invoice_id, inv in self.by_id.items():
                self._by_amount.add(inv.open_amount, invoice_id)
        return [self.by_id[i] for i in self._by_amount.get(amount) if self.remaining[i] == amount]

    def opens(self, invoice_ids: Iterable[str]) -> list[Open]:
        """The given invoices with what is still open on them (closed ones too)."""
        return [(self.by_id[i], self.remaining[i]) for i in invoice_ids]

    def take(self, invoice_id: str, amount: Decimal) -> None:
        """Book cash plus adjustment against an invoice."""
        self.remaining[invoice_id] -= amount

    def terms_of(self, invoice: Invoice) -> Terms | None:
        """The invoice's discount terms, falling back to its customer's."""
        text = invoice.terms
        if not text:
            customer = self.customers.get(invoice.customer_id)
            text = customer.terms if customer else ""
        return parse_terms(text) if text else None

    def name(self, customer_id: str) -> str:
        """The customer's name for explanations."""
        customer = self.customers.get(customer_id)
        return f"{customer_id} {customer.name}" if customer else customer_id
