"""The PostedLedger role of the HTTP ERPs (BC, QuickBooks, Acumatica), read from their fakes.

`arbridge audit` holds the store against what each ERP holds under arbridge's references:
per key and invoice with amounts, over-applied invoices, and postings the store does not know.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from sqlmodel import col, select

from arbridge.connectors.bank import FolderBankSource
from arbridge.connectors.base import OwnPostings, PostedLedger
from arbridge.domain.records import Allocation, Application
from arbridge.scheduler import CycleDeps, run_cycle
from arbridge.scheduler.audit import run_audit
from arbridge.store import Store
from arbridge.store.tables import ApplicationRow, OutboxRow
from bench.erp_fakes import fake_acumatica, fake_bc, fake_qbo
from tests.conftest import CONTRACT_PROFILE, DEMO
from tests.contracts.harness import Harness, harness

HTTP_KINDS = ("business_central", "acumatica", "quickbooks")


@pytest.fixture(params=HTTP_KINDS)
def erp(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    with harness(request.param, tmp_path) as h:
        yield h


def _ledger(erp: Harness) -> PostedLedger:
    assert isinstance(erp.gateway, PostedLedger)
    assert isinstance(erp.gateway, OwnPostings)
    return erp.gateway


def _app(erp: Harness, key: str, *allocs: tuple[str | None, str], bank_id: str = "") -> Application:
    allocations = tuple(
        Allocation(invoice_id=inv, customer_id="C001", amount=Decimal(amt)) for inv, amt in allocs
    )
    return Application(
        idempotency_key=f"{erp.gateway.name}:operating:{key}",
        bank_account="operating",
        bank_id=bank_id or key.split(":", maxsplit=1)[0],
        customer_id="C001",
        booked_on=date(2026, 11, 2),
        amount=sum((a.amount for a in allocations), Decimal("0.00")),
        allocations=allocations,
        evidence=f"bank line {key}; rule exact; confidence 1.00",
    )


def _held(records: Any) -> list[tuple[str, str, str, str | None, Decimal]]:
    return sorted(
        (r.key, r.bank_account, r.bank_id, r.invoice_id, r.amount)
        for r in records
        if r.amount  # the 0 of an empty line is no record
    )


def test_find_posted_names_each_invoice_and_amount_under_its_key(erp: Harness) -> None:
    two = _app(erp, "TXL1:review7.0", ("INV-1001", "100.00"), ("INV-1002", "80.50"))
    on_account = _app(erp, "TXL2", (None, "25.00"))
    erp.gateway.post_application(two)
    erp.gateway.post_application(on_account)
    ledger = _ledger(erp)
    name = erp.gateway.name

    found = ledger.find_posted([two.idempotency_key, f"{name}:operating:NOPE"])

    assert _held(found) == [
        (two.idempotency_key, "operating", "TXL1", "INV-1001", Decimal("100.00")),
        (two.idempotency_key, "operating", "TXL1", "INV-1002", Decimal("80.50")),
    ]
    everything = ledger.find_posted()  # keys read back from the payments' memos
    assert {r.key for r in everything} == {two.idempotency_key, on_account.idempotency_key}
    assert [r.amount for r in everything if r.invoice_id is None] == [Decimal("25.00")]
    assert ledger.overdrawn_invoices() == {}


def test_a_posted_bc_journal_is_still_found_in_the_general_ledger(erp: Harness) -> None:
    if not isinstance(erp.fake, fake_bc.FakeBusinessCentral):
        pytest.skip("only Business Central keeps unposted journal lines")
    app = _app(erp, "TXG", ("INV-1001", "100.00"), ("INV-1002", "80.50"))
    erp.gateway.post_application(app)
    erp.fake.finance_posts()
    assert erp.fake.lines == []

    found = _ledger(erp).find_posted([app.idempotency_key])

    # the G/L does not say which invoice: one record for the document's cash
    assert _held(found) == [(app.idempotency_key, "operating", "TXG", None, Decimal("180.50"))]


def test_a_bc_invoice_asked_for_more_than_it_has_left_is_overdrawn(erp: Harness) -> None:
    if not isinstance(erp.fake, fake_bc.FakeBusinessCentral):
        pytest.skip("only Business Central keeps unposted journal lines")
    fake = erp.fake
    erp.gateway.post_application(_app(erp, "TXO", ("INV-1001", "1000.00")))
    fake.add_foreign_line("INV-1001", "400.00")  # finance typed in a second payment by hand

    assert _ledger(erp).overdrawn_invoices() == {"INV-1001": Decimal("150.00")}


def _rewrite_memos(fake: object) -> None:
    """A person rewrites the memo of every payment in the ERP (the key is gone from it)."""
    if isinstance(fake, fake_bc.FakeBusinessCentral):
        for line in fake.lines:
            line["description"] = "bank TXU: checked by Ann"
    elif isinstance(fake, fake_qbo.FakeQuickBooks):
        for payment in fake.payments.values():
            payment["PrivateNote"] = "bank TXU: checked by Ann"
    else:
        for payment in cast("fake_acumatica.FakeAcumatica", fake).payments.values():
            payment["Description"] = {"value": "bank TXU: checked by Ann"}


def test_a_posting_is_tied_to_its_key_by_hash_or_else_found_under_its_reference(
    erp: Harness,
) -> None:
    app = _app(erp, "TXU", ("INV-1001", "10.00"))
    erp.gateway.post_application(app)
    ledger = cast("OwnPostings", _ledger(erp))
    assert [r.key for r in ledger.own_postings(set())] == [app.idempotency_key]  # by the memo
    _rewrite_memos(erp.fake)

    tied = ledger.own_postings({app.idempotency_key})
    untied = ledger.own_postings(set())

    assert [(r.key, r.bank_account, r.bank_id, r.invoice_id) for r in tied] == [
        (app.idempotency_key, "operating", "TXU", "INV-1001")
    ]
    [unknown] = untied  # still arbridge's (its reference), but whose key nobody knows
    assert unknown.key != app.idempotency_key
    assert unknown.key == unknown.bank_id
    assert unknown.bank_account == ""
    assert unknown.amount == Decimal("10.00")


# ---------------------------------------------------------------- the audit, end to end


def _books(store: Store, erp: Harness, tmp_path: Path) -> CycleDeps:
    """The demo bank statement through one cycle into the HTTP ERP."""
    shutil.copytree(DEMO / "bank", tmp_path / "bank")
    bank = FolderBankSource(
        name="operating", path=tmp_path / "bank", currency="USD", csv_profile=CONTRACT_PROFILE
    )
    deps = CycleDeps(store=store, bank_sources=[bank], erp=erp.gateway, retry_sleep=lambda _s: None)
    run_cycle(deps)
    return deps


def _sent(store: Store) -> list[tuple[str, str]]:
    with store.transaction() as session:
        rows = session.exec(
            select(ApplicationRow.idempotency_key, ApplicationRow.allocations)
            .join(OutboxRow, col(OutboxRow.application_id) == col(ApplicationRow.id))
            .where(OutboxRow.status == "sent")
            .order_by(col(ApplicationRow.id))
        ).all()
    return [(key, allocations[0]["invoice_id"] or "") for key, allocations in rows]


def test_the_audit_is_clean_after_a_cycle_and_names_each_kind_of_finding(
    store: Store, erp: Harness, tmp_path: Path
) -> None:
    _books(store, erp, tmp_path)
    sent = _sent(store)
    assert len(sent) >= 3
    assert run_audit(store, erp.gateway).findings == []
    (refused, _), (doubled, _) = sent[0], sent[1]
    with store.transaction() as session:  # the store forgets that the first one was sent
        outbox = session.exec(
            select(OutboxRow)
            .join(ApplicationRow, col(OutboxRow.application_id) == col(ApplicationRow.id))
            .where(ApplicationRow.idempotency_key == refused)
        ).one()
        outbox.status = "rejected"
        session.add(outbox)
    account, bank_id = doubled.split(":")[1:3]
    stranger = dataclasses.replace(
        _app(erp, f"{bank_id}:review99.0", (None, "99999.00"), bank_id=bank_id),
        bank_account=account,
    )
    erp.gateway.post_application(stranger)  # posted by something other than this store

    findings = {(f.kind, f.subject) for f in run_audit(store, erp.gateway).findings}

    assert ("refused_but_posted", refused) in findings
    assert ("unknown_posting", stranger.idempotency_key) in findings
    assert ("line_over_applied", f"{account}:{bank_id}") in findings
