"""An ERP that can say what changed is pulled incrementally; the cursor moves only with the data."""

from __future__ import annotations

import shutil
from pathlib import Path

from arbridge.connectors.bank import FolderBankSource
from arbridge.connectors.erp import CsvErpGateway, InMemoryErpGateway
from arbridge.scheduler import CycleDeps, run_cycle
from arbridge.store import Store, cursors, erp
from tests.conftest import CONTRACT_PROFILE, DEMO

PROFILE = CONTRACT_PROFILE


def _deps(store: Store, tmp_path: Path) -> tuple[CycleDeps, InMemoryErpGateway]:
    shutil.copytree(DEMO, tmp_path / "demo")
    seed = CsvErpGateway(
        name="seed",
        customers=tmp_path / "demo" / "erp" / "customers.csv",
        invoices=tmp_path / "demo" / "erp" / "invoices.csv",
        applications=tmp_path / "none.csv",
    )
    gateway = InMemoryErpGateway(
        name="books", customers=seed.fetch_customers(), invoices=seed.fetch_invoices()
    )
    bank = FolderBankSource(
        name="operating", path=tmp_path / "demo" / "bank", currency="USD", csv_profile=PROFILE
    )
    return CycleDeps(
        store=store, bank_sources=[bank], erp=gateway, retry_sleep=lambda _s: None
    ), gateway


def test_second_cycle_reads_only_the_changes_and_keeps_the_rest(
    store: Store, tmp_path: Path
) -> None:
    deps, gateway = _deps(store, tmp_path)

    first = run_cycle(deps)
    second = run_cycle(deps)

    assert first.counts["invoices_seen"] == 11
    # the demo's exact matches plus `inv 1005`, a part payment and an overpayment
    assert first.counts["applied"] == 7
    # the seven postings changed eight invoices in the ERP; only those are read again
    assert second.counts["invoices_seen"] == 8
    with store.transaction() as session:
        stored = erp.load_snapshot(session, "books")
        cursor = cursors.load_cursor(session, "books", "invoices")
    assert stored is not None
    invoices = {i.invoice_id: i for i in stored[1]}
    assert len(invoices) == 11  # unchanged invoices are kept from the first pull
    assert invoices["INV-1001"].open_amount == 0
    assert invoices["INV-1002"].open_amount == gateway.invoices["INV-1002"].open_amount
    assert cursor is not None
