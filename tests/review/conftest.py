"""A store after one cycle of the demo data against an in-memory ERP, and a resolver over it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from arbridge.connectors.bank import FolderBankSource
from arbridge.connectors.erp import CsvErpGateway, InMemoryErpGateway
from arbridge.review import ReviewQueue
from arbridge.review.resolutions import Resolver
from arbridge.scheduler import CycleDeps, run_cycle
from arbridge.store import Store
from tests.conftest import CONTRACT_PROFILE, DEMO


@dataclass
class Books:
    """The demo's store, its in-memory ERP, the cycle over both, and finance's tools."""

    store: Store
    erp: InMemoryErpGateway
    deps: CycleDeps
    resolver: Resolver
    queue: ReviewQueue

    def cycle(self) -> None:
        run_cycle(self.deps)

    def item(self, bank_id: str) -> int:
        """The open review item of a bank line."""
        [found] = [i for i in self.queue.open_items() if i.bank_transaction_id == bank_id]
        return found.item_id

    def open_amount(self, invoice_id: str) -> str:
        return str(self.erp.invoices[invoice_id].open_amount)


def make_books(store: Store, tmp_path: Path, erp: InMemoryErpGateway | None = None) -> Books:
    """One cycle of the demo data (TX0005, 760.00, waits in review between INV-1007 and -1008)."""
    shutil.copytree(DEMO, tmp_path / "demo")
    seed = CsvErpGateway(
        name="seed",
        customers=tmp_path / "demo" / "erp" / "customers.csv",
        invoices=tmp_path / "demo" / "erp" / "invoices.csv",
        applications=tmp_path / "none.csv",
    )
    if erp is None:
        erp = InMemoryErpGateway(name="books")
    for customer in seed.fetch_customers():
        erp.customers[customer.customer_id] = customer
    for invoice in seed.fetch_invoices():
        erp.put_invoice(invoice)
    bank = FolderBankSource(
        name="operating",
        path=tmp_path / "demo" / "bank",
        currency="USD",
        csv_profile=CONTRACT_PROFILE,
    )
    deps = CycleDeps(store=store, bank_sources=[bank], erp=erp, retry_sleep=lambda _s: None)
    books = Books(store, erp, deps, Resolver(store, "books"), ReviewQueue(store))
    books.cycle()
    return books


@pytest.fixture
def books(store: Store, tmp_path: Path) -> Books:
    return make_books(store, tmp_path)
