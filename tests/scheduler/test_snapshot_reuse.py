"""Daemons sharing a store reuse an ERP snapshot another read moments ago, never a stale one."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from arbridge.connectors.erp import InMemoryErpGateway
from arbridge.domain.records import Customer, Invoice
from arbridge.scheduler._pull import Snapshot
from arbridge.scheduler._reuse import pull_or_reuse
from arbridge.scheduler._summary import RunSummary
from arbridge.store import Store, erp

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
FRESH = timedelta(seconds=30)


class Clock:
    """A settable clock (the daemons' `clock`)."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _pay(gateway: InMemoryErpGateway, open_amount: str) -> None:
    """Someone records a payment in the ERP."""
    invoice = gateway.invoices["INV-1"]
    gateway.put_invoice(dataclasses.replace(invoice, open_amount=Decimal(open_amount)))


def _gateway(open_amount: str = "100.00") -> InMemoryErpGateway:
    return InMemoryErpGateway(
        name="books",
        customers=[Customer(customer_id="C1", name="Acme")],
        invoices=[
            Invoice(
                invoice_id="INV-1",
                customer_id="C1",
                invoice_date=date(2026, 11, 1),
                due_date=date(2026, 12, 1),
                amount=Decimal("100.00"),
                open_amount=Decimal(open_amount),
            )
        ],
    )


def _pull(
    store: Store, gateway: InMemoryErpGateway, clock: Clock, max_age: timedelta | None
) -> tuple[Snapshot, RunSummary]:
    summary = RunSummary(run_id="r")
    snapshot = pull_or_reuse(store, gateway, summary, clock, {}, max_age=max_age)
    assert snapshot is not None
    return snapshot, summary


def test_a_snapshot_read_moments_ago_is_reused_with_its_read_time(store: Store) -> None:
    clock = Clock()
    first, summary = _pull(store, _gateway(), clock, FRESH)
    assert first.taken_at is None
    assert summary.counts["erp_reused"] == 0
    clock.now = T0 + timedelta(seconds=10)
    gateway = _gateway()
    _pay(gateway, "40.00")  # the ERP changed; the other daemon does not read it
    again, summary = _pull(store, gateway, clock, FRESH)
    assert summary.counts["erp_reused"] == 1
    assert again.taken_at == T0  # what was sent since the read is netted out by decide
    assert [i.open_amount for i in again.invoices] == [Decimal("100.00")]


def test_a_snapshot_older_than_the_freshness_is_read_again(store: Store) -> None:
    clock = Clock()
    gateway = _gateway()
    _pull(store, gateway, clock, FRESH)
    clock.now = T0 + FRESH + timedelta(seconds=1)
    _pay(gateway, "40.00")
    again, summary = _pull(store, gateway, clock, FRESH)
    assert summary.counts["erp_reused"] == 0
    assert again.taken_at is None
    assert [i.open_amount for i in again.invoices] == [Decimal("40.00")]


def test_a_snapshot_saved_after_the_recorded_read_is_not_reused(store: Store) -> None:
    clock = Clock()
    _pull(store, _gateway(), clock, FRESH)
    clock.now = T0 + timedelta(seconds=5)
    changed = _gateway(open_amount="40.00")
    with store.transaction() as session:  # a daemon that saved and has not recorded its read
        erp.save_snapshot(
            session,
            "books",
            list(changed.fetch_customers()),
            list(changed.fetch_invoices()),
            clock.now,
        )
    _, summary = _pull(store, _gateway(), clock, FRESH)
    assert summary.counts["erp_reused"] == 0


def test_without_a_freshness_every_daemon_reads_the_erp(store: Store) -> None:
    clock = Clock()
    _pull(store, _gateway(), clock, FRESH)
    clock.now = T0 + timedelta(seconds=1)
    _, summary = _pull(store, _gateway(), clock, None)
    assert summary.counts["erp_reused"] == 0
    _, summary = _pull(store, _gateway(), clock, timedelta(0))
    assert summary.counts["erp_reused"] == 0
