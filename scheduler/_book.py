"""The ERP book a daemon keeps between cycles, with the engine's indexes over it.

A one-shot run reads the book and builds the engine's indexes for its one cycle. A
daemon keeps them (`Book`), keyed by the source fingerprint they were read at: when the
source is unchanged they are used as they are; when the source tells which invoices
changed (rows appended to the csv ERP's applications.csv), only those are put in;
anything else reads the whole book again. What is queued but not yet in the ERP is netted
out of the index's invoices for each batch, and put back as the ERP reports it after.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

from arbridge.domain.records import Customer, Invoice
from arbridge.matching.book import BookIndex

Records = tuple[list[Customer], list[Invoice]]


class Book:
    """The records of the last read of one ERP, the fingerprint they were read at, and their index."""

    def __init__(self) -> None:
        self.version: str | None = None
        self._customers: list[Customer] = []
        self._index: BookIndex | None = None
        self._netted: dict[str, Invoice] = {}
        """Invoices whose open amount the index holds net of what is queued: as the ERP has them."""

    def fill(self, version: str | None, records: Records) -> None:
        """Hold what was just read at `version` (None: a source without one; kept for this cycle)."""
        customers, invoices = records
        self.version = version
        self._customers = customers
        self._netted = {}
        self._index = BookIndex({c.customer_id: c for c in customers}, invoices)

    def forget(self) -> None:
        """Drop the records (the source changed in a way the book cannot follow)."""
        self.version, self._customers, self._index, self._netted = None, [], None, {}

    def update(self, version: str, changed: Sequence[Invoice]) -> None:
        """Move to `version` by replacing these invoices (the rest is as it was)."""
        index = self._require()
        for inv in changed:
            if inv.invoice_id in self._netted:
                self._netted[inv.invoice_id] = inv
        index.put(changed)
        self.version = version

    def records(self) -> Records:
        """Customers and invoices as the ERP reports them, in the order read."""
        index = self._require()
        netted = self._netted
        invoices = index.invoices
        if netted:
            invoices = [netted.get(inv.invoice_id, inv) for inv in invoices]
        return self._customers, invoices

    def net_of(self, unsent: dict[str, Decimal]) -> BookIndex:
        """The index with what is queued for each invoice taken off its open amount."""
        index = self._require()
        for invoice_id in [i for i in self._netted if i not in unsent]:
            index.put([self._netted.pop(invoice_id)])
        for invoice_id, taken in unsent.items():
            erp = self._netted.get(invoice_id) or index.get(invoice_id)
            if erp is None:
                continue
            self._netted[invoice_id] = erp
            index.put([dataclasses.replace(erp, open_amount=erp.open_amount - taken)])
        return index

    def _require(self) -> BookIndex:
        if self._index is None:
            raise RuntimeError("the book holds no records")
        return self._index
