"""Open amounts as they stand while a batch is matched, and who belongs to whose family.

`LedgerIndex` holds the book's invoices by id, by customer (oldest due first) and by
open amount; it can be kept between batches and updated in place (`put`). `Ledger` is
one batch's view of it: what each decision takes is booked in the ledger only, so the
index stays as the ERP reports the book.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal

from arbridge.domain.records import Customer, Invoice
from arbridge.matching.amounts import Open
from arbridge.matching.postings import Postings
from arbridge.matching.terms import Terms, parse_terms


def _due_order(inv: Invoice) -> tuple[object, str]:
    return inv.due_date, inv.invoice_id


class LedgerIndex:
    """Invoices by id, by customer (oldest due first) and by open amount (built on first use)."""

    def __init__(self, customers: Mapping[str, Customer], invoices: Sequence[Invoice]) -> None:
        self.customers = customers
        self.by_id: dict[str, Invoice] = {}
        self.by_customer: dict[str, list[str]] = {}
        self.children: dict[str, list[str]] = {}
        self._by_amount: Postings[Decimal] | None = None
        for customer in customers.values():
            if customer.parent_id:
                self.children.setdefault(customer.parent_id, []).append(customer.customer_id)
        for inv in invoices:
            self.by_id[inv.invoice_id] = inv  # the export's order; the last row of an id wins
        for inv in sorted(self.by_id.values(), key=_due_order):
            self.by_customer.setdefault(inv.customer_id, []).append(inv.invoice_id)

    def by_amount(self) -> Postings[Decimal]:
        """Invoice ids by open amount (built on first use, by the first line whose payer is unknown)."""
        if self._by_amount is None:
            self._by_amount = Postings()
            for invoice_id, inv in self.by_id.items():
                self._by_amount.add(inv.open_amount, invoice_id)
        return self._by_amount

    def put(self, inv: Invoice) -> Invoice | None:
        """Add the invoice or replace the one with its id; the one replaced (None if new)."""
        old = self.by_id.get(inv.invoice_id)
        if old == inv:
            return old
        self.by_id[inv.invoice_id] = inv
        if old is None or _due_order(old) != _due_order(inv) or old.customer_id != inv.customer_id:
            if old is not None:
                self.by_customer[old.customer_id].remove(old.invoice_id)
            ids = self.by_customer.setdefault(inv.customer_id, [])
            bisect.insort(ids, inv.invoice_id, key=lambda i: _due_order(self.by_id[i]))
        if self._by_amount is not None and (old is None or old.open_amount != inv.open_amount):
            if old is not None:
                self._by_amount.discard(old.open_amount, old.invoice_id)
            self._by_amount.add(inv.open_amount, inv.invoice_id)
        return old


class Remaining(Mapping[str, Decimal]):
    """What is still open on each invoice in this batch: its open amount less what was taken."""

    __slots__ = ("_by_id", "_left")

    def __init__(self, by_id: Mapping[str, Invoice]) -> None:
        self._by_id = by_id
        self._left: dict[str, Decimal] = {}

    def __getitem__(self, invoice_id: str) -> Decimal:
        left = self._left.get(invoice_id)
        return self._by_id[invoice_id].open_amount if left is None else left

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def take(self, invoice_id: str, amount: Decimal) -> None:
        """Book `amount` against the invoice."""
        self._left[invoice_id] = self[invoice_id] - amount


class Ledger:
    """Invoices by id and customer; `take` books what a decision applies."""

    def __init__(
        self,
        customers: Mapping[str, Customer],
        invoices: Sequence[Invoice] = (),
        *,
        index: LedgerIndex | None = None,
    ) -> None:
        self.index = index if index is not None else LedgerIndex(customers, invoices)
        self.customers = customers
        self.by_id: Mapping[str, Invoice] = self.index.by_id
        self.remaining = Remaining(self.index.by_id)

    def family(self, customer_id: str) -> list[str]:
        """The customer and the subsidiaries whose invoices it may pay."""
        return [customer_id, *sorted(self.index.children.get(customer_id, ()))]

    def related(self, payer: str, owner: str) -> bool:
        """Whether `payer` may pay an invoice of `owner` (same customer or its parent)."""
        if payer == owner:
            return True
        customer = self.customers.get(owner)
        return customer is not None and customer.parent_id == payer

    def invoices_of(self, customer_ids: Iterable[str]) -> list[Invoice]:
        """Every invoice (open or not) of the customers, oldest due first."""
        by_customer = self.index.by_customer
        return [self.by_id[i] for c in customer_ids for i in by_customer.get(c, ())]

    def open_of(self, customer_ids: Iterable[str]) -> list[Open]:
        """Open invoices of the customers with what is still open, oldest due first."""
        return [
            (inv, self.remaining[inv.invoice_id])
            for inv in self.invoices_of(customer_ids)
            if self.remaining[inv.invoice_id] > 0
        ]

    def open_at(self, amount: Decimal) -> list[Invoice]:
        """Open invoices of any customer whose open amount is exactly `amount`, oldest due first."""
        found = [
            self.by_id[i] for i in self.index.by_amount().get(amount) if self.remaining[i] == amount
        ]
        return sorted(found, key=_due_order)

    def opens(self, invoice_ids: Iterable[str]) -> list[Open]:
        """The given invoices with what is still open on them (closed ones too)."""
        return [(self.by_id[i], self.remaining[i]) for i in invoice_ids]

    def take(self, invoice_id: str, amount: Decimal) -> None:
        """Book cash plus adjustment against an invoice."""
        self.remaining.take(invoice_id, amount)

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
