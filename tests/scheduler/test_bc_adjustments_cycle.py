"""Business Central through the real cycle (respx stand-in): a short payment within the bank-fee
tolerance is written off, and a clerk's Correct is a reversing journal line, each once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import respx
from sqlalchemy import func
from sqlmodel import select

from arbridge.connectors.bank import FolderBankSource
from arbridge.connectors.erp import business_central
from arbridge.connectors.erp._http import RateLimiter
from arbridge.connectors.erp.business_central import wire
from arbridge.domain.records import Allocation, Application
from arbridge.review import ReviewQueue
from arbridge.review.resolutions import Resolver
from arbridge.scheduler import CycleDeps, run_cycle
from arbridge.scheduler.audit import run_audit
from arbridge.store import Store, ledger
from arbridge.store.ledger import LedgerRefusedError
from arbridge.store.postings import NewApplication
from arbridge.store.tables import ApplicationRow, BankLineRow, OutboxRow
from bench.erp_fakes import fake_bc
from tests.conftest import CONTRACT_PROFILE
from tests.contracts.harness import NO_RETRY_SLEEP, demo_records

ERP = "books"


@pytest.fixture
def bc(tmp_path: Path) -> Iterator[fake_bc.FakeBusinessCentral]:
    customers, invoices = demo_records(tmp_path)
    fake = fake_bc.FakeBusinessCentral(customers, invoices)
    with respx.mock(assert_all_called=False) as router:
        fake.install(router)
        yield fake


def _deps(store: Store, tmp_path: Path, rows: list[str]) -> CycleDeps:
    folder = tmp_path / "bank"
    folder.mkdir(exist_ok=True)
    text = "Date,Description,Amount,Transaction ID\n" + "\n".join(rows) + "\n"
    (folder / "statement.csv").write_text(text, encoding="utf-8")
    bank = FolderBankSource(
        name="operating", path=folder, currency="USD", csv_profile=CONTRACT_PROFILE
    )
    gateway = business_central.build(
        name=ERP,
        tenant="tenant-1",
        environment="Production",
        company="CRONUS",
        client_id="app-1",
        client_secret="s3cret-value",
        retry=NO_RETRY_SLEEP,
        limiter=RateLimiter(()),
        post_journal=True,
        write_offs=business_central.WriteOffPlan(
            default=business_central.WriteOffTarget("ARWO", "8620")
        ),
        corrections=business_central.CorrectionSettings(),
    )
    return CycleDeps(store=store, bank_sources=[bank], erp=gateway, retry_sleep=lambda _s: None)


def _pending(store: Store) -> int:
    with store.transaction() as session:
        return session.exec(select(func.count()).where(OutboxRow.status != "sent")).one()


def test_a_short_payment_within_tolerance_is_written_off_in_bc(
    bc: fake_bc.FakeBusinessCentral, store: Store, tmp_path: Path
) -> None:
    deps = _deps(
        store, tmp_path, ["11/02/2026,ACME INDUSTRIAL SUPPLY PAYMENT INV-1001,1237.50,TX0001"]
    )

    run_cycle(deps)
    run_cycle(deps)

    document = wire.document_number(f"{ERP}:operating:TX0001")
    assert sorted(bc.ledger()) == [(document, "INV-1001"), (document, "INV-1001@ARWO")]
    assert bc.invoices["INV-1001"].status == "Paid"
    write_off = [ln for ln in bc.posted if ln["journalId"] != fake_bc.JID]
    assert [ln["amount"] for ln in write_off] == ["-12.50"]
    assert str(write_off[0]["description"]).startswith("bank TX0001: write-off bank_fee;")
    assert _pending(store) == 0
    assert run_audit(store, deps.erp).findings == []


def test_a_clerks_correct_on_bc_reverses_by_journal_line_then_reapplies_once(
    bc: fake_bc.FakeBusinessCentral, store: Store, tmp_path: Path
) -> None:
    deps = _deps(store, tmp_path, ["11/04/2026,DELTA HARBOR LOGISTICS ACH CREDIT,760.00,TX0005"])
    run_cycle(deps)
    queue, resolver = ReviewQueue(store), Resolver(store, ERP)
    [item] = [i.item_id for i in queue.open_items() if i.bank_transaction_id == "TX0005"]
    resolver.apply(item, [("INV-1007", Decimal("760.00"))], actor="clara")
    run_cycle(deps)
    assert bc.invoices["INV-1007"].status == "Paid"

    reverse, reapply = resolver.correct(
        item, [("INV-1008", Decimal("760.00"))], actor="clara", reason="remittance named 1008"
    )
    for _ in range(3):
        run_cycle(deps)

    assert _pending(store) == 0
    assert bc.invoices["INV-1008"].status == "Paid"
    assert bc.invoices["INV-1007"].status == "Paid"  # BC cannot unapply: it stays closed ...
    assert bc.open_debits == [("C004", Decimal("760.00"), wire.document_number(reverse))]
    counted = [d for d, _what in bc.ledger()]  # ... the reversal stands open on the customer
    assert sorted(counted) == sorted(
        wire.document_number(k) for k in (reverse, reapply, item_key(store, "TX0005"))
    )
    assert run_audit(store, deps.erp).findings == []


def item_key(store: Store, bank_id: str) -> str:
    """The key of the clerk's first application of a bank line."""
    with store.transaction() as session:
        keys = session.exec(select(ApplicationRow.idempotency_key)).all()
    [first] = [k for k in keys if bank_id in k and ":reverse:" not in k and ":reapply:" not in k]
    return first


def _write_off_of(bank_line: int, write_off: str) -> NewApplication:
    allocation = Allocation(
        invoice_id="INV-1001",
        customer_id="C001",
        amount=Decimal("1240.00"),
        adjustment=Decimal(write_off),
        adjustment_reason="short_payment",
    )
    application = Application(
        idempotency_key=f"{ERP}:operating:TXD1:review1.1",
        bank_account="operating",
        bank_id="TXD1",
        customer_id="C001",
        booked_on=date(2026, 11, 6),
        amount=Decimal("1240.00"),
        allocations=(allocation,),
    )
    return NewApplication(
        bank_line_id=bank_line, application=application, confidence=1.0, explanation="clerk"
    )


def test_the_door_refuses_cash_plus_write_off_beyond_the_open_amount_before_bc_sees_it(
    bc: fake_bc.FakeBusinessCentral, store: Store, tmp_path: Path
) -> None:
    deps = _deps(store, tmp_path, ["11/06/2026,UNKNOWN PAYER WIRE REF 88231,1240.00,TXD1"])
    run_cycle(deps)
    now = datetime.now(UTC)
    with store.transaction() as session:
        line = session.exec(select(BankLineRow.id).where(BankLineRow.bank_id == "TXD1")).one()
        assert line is not None
        with pytest.raises(LedgerRefusedError, match="INV-1001"):
            ledger.admit(session, ERP, [_write_off_of(line, "10.01")], run_id=None, now=now)
    assert bc.lines == []
    with store.transaction() as session:
        ledger.admit(session, ERP, [_write_off_of(line, "10.00")], run_id=None, now=now)
    run_cycle(deps)
    assert bc.invoices["INV-1001"].status == "Paid"
    assert run_audit(store, deps.erp).findings == []
