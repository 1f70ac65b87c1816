"""Deposits and retainage through the real cycle on Business Central and Acumatica (respx).

The fakes serve the reference's documented shapes: BC `salesInvoices.orderNumber`,
Acumatica `Invoice.Project` (`X` = no project) tie a deposit to its order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import respx

from arbridge.connectors.bank import FolderBankSource
from arbridge.connectors.base import ErpGateway
from arbridge.deposits.recognise import DepositRules
from arbridge.domain.records import Customer, Invoice
from arbridge.scheduler import CycleDeps, run_cycle
from arbridge.store import Store, deposit_holds
from bench.erp_fakes import fake_acumatica, fake_bc
from tests.conftest import CONTRACT_PROFILE
from tests.contracts.harness import build_acumatica, build_bc

CUSTOMERS = [Customer(customer_id="C001", name="Acme Industrial Supply")]


def _inv(number: str, day: str, amount: str, order: str | None) -> Invoice:
    when = date.fromisoformat(day)
    return Invoice(
        invoice_id=number,
        customer_id="C001",
        invoice_date=when,
        due_date=when,
        amount=Decimal(amount),
        open_amount=Decimal(amount),
        order_ref=order,
    )


BOOKS = [
    _inv("INV-300", "2026-10-02", "250.00", None),
    _inv("PB-1", "2026-10-01", "1200.00", "SO-7"),  # billed before the deposit: not the final
]
FINAL = _inv("F-700", "2026-11-20", "4000.00", "SO-7")


def _bank(root: Path, rows: list[tuple[str, str, str, str]]) -> FolderBankSource:
    folder = root / "bank"
    folder.mkdir(exist_ok=True)
    lines = ["Date,Description,Amount,Transaction ID", *(",".join(r) for r in rows)]
    (folder / "statement.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return FolderBankSource(
        name="operating", path=folder, currency="USD", csv_profile=CONTRACT_PROFILE
    )


Fake = Any
Build = Callable[[respx.MockRouter, Fake], ErpGateway]


@contextmanager
def _erp(kind: str) -> Iterator[tuple[Fake, Build]]:
    if kind == "bc":
        yield fake_bc.FakeBusinessCentral(CUSTOMERS, BOOKS), build_bc
    else:
        yield fake_acumatica.FakeAcumatica(CUSTOMERS, BOOKS), build_acumatica


def _applied(kind: str, fake: Fake) -> list[tuple[str, Decimal]]:
    if kind == "bc":
        return [
            (str(line.get("appliesToInvoiceNumber") or ""), -Decimal(str(line["amount"])))
            for line in [*fake.posted, *fake.lines]
        ]
    return [
        (row["ReferenceNbr"]["value"], Decimal(str(row["AmountPaid"]["value"])))
        for p in fake.payments.values()
        for row in p.get("DocumentsToApply", [])
    ]


def _cycle(store: Store, bank: FolderBankSource, erp: ErpGateway) -> None:
    deps = CycleDeps(
        store=store,
        bank_sources=[bank],
        erp=erp,
        retry_sleep=lambda _s: None,
        deposits=DepositRules(),
    )
    summary = run_cycle(deps)
    assert summary.status == "ok", summary.errors


def _held(store: Store) -> list[tuple[str, str, Decimal]]:
    with store.transaction() as session:
        return [(h.customer_id, h.order_ref, h.amount) for h in deposit_holds.held(session)]


def _flow(kind: str, store: Store, tmp_path: Path) -> None:
    bank = _bank(tmp_path, [("10/05/2026", "ACME INDUSTRIAL DEPOSIT SO-7", "500.00", "TX1")])
    with _erp(kind) as (fake, build), respx.mock(assert_all_called=False) as router:
        erp = build(router, fake)
        _cycle(store, bank, erp)
        assert _applied(kind, fake) == []
        assert _held(store) == [("C001", "SO-7", Decimal("500.00"))]

        fake.add(FINAL)
        _cycle(store, bank, erp)
        _cycle(store, bank, erp)

        assert _applied(kind, fake) == [("F-700", Decimal("500.00"))]
        assert _held(store) == []


def test_business_central_held_deposit_goes_to_the_orders_final_invoice_once(
    store: Store, tmp_path: Path
) -> None:
    _flow("bc", store, tmp_path)


def test_acumatica_held_deposit_goes_to_the_projects_final_invoice_once(
    store: Store, tmp_path: Path
) -> None:
    _flow("acumatica", store, tmp_path)
