"""The engine's indexes over a book, kept between batches and updated invoice by invoice.

Building the indexes of a large book (by id, customer, open amount, invoice and PO
number, customer name) costs seconds; a daemon keeps one `BookIndex` and `put`s the
invoices that changed, and each batch (`match_lines`) reads it through a fresh ledger.
A batch against an index updated this way decides exactly as against one built anew
from the same invoices.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from arbridge.domain.records import Customer, Invoice
from arbridge.matching.ledger import LedgerIndex
from arbridge.matching.payers import PayerNames
from arbridge.matching.references import ReferenceIndex


class BookIndex:
    """Customers and invoices indexed as the engine reads them."""

    def __init__(self, customers: Mapping[str, Customer], invoices: Sequence[Invoice]) -> None:
        self.customers = customers
        self.ledger = LedgerIndex(customers, invoices)
        self.refs = ReferenceIndex(list(self.ledger.by_id.values()))
        self._names: PayerNames | None = None

    @property
    def names(self) -> PayerNames:
        """The customer-name index (built on first use)."""
        if self._names is None:
            self._names = PayerNames(self.customers)
        return self._names

    @property
    def invoices(self) -> list[Invoice]:
        """Every invoice, in the order first put."""
        return list(self.ledger.by_id.values())

    def get(self, invoice_id: str) -> Invoice | None:
        """The invoice with this id as indexed, if any."""
        return self.ledger.by_id.get(invoice_id)

    def put(self, invoices: Iterable[Invoice]) -> None:
        """Add these invoices, or replace the ones with their ids (customers stay as they are)."""
        for inv in invoices:
            old = self.ledger.put(inv)
            if old is not inv:
                self.refs.put(old, inv)
