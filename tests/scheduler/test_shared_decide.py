"""Several daemons deciding at once: partitions by customer, the shared remainder, no invoice spent twice."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from arbridge.domain.records import BankLine, Customer, Invoice
from arbridge.matching import MatchSettings
from arbridge.scheduler._decide_shared import SharedDecide
from arbridge.scheduler._pull import Snapshot
from arbridge.scheduler._summary import RunSummary
from arbridge.scheduler.partitions import partition_of
from arbridge.store import Store, bank, create_store_engine, erp, locks, upgrade
from arbridge.store.tables import ApplicationRow, BankLineRow
from bench.postgres_server import PostgresServer

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CUSTOMERS = 6


def _amount(i: int) -> Decimal:
    return Decimal("100.00") + Decimal(i * 7) + Decimal(i % 89) / 100


def _book(invoices: int) -> tuple[list[Customer], list[Invoice]]:
    customers = [
        Customer(customer_id=f"C{c}", name=f"Customer {c} Industries") for c in range(CUSTOMERS)
    ]
    rows = [
        Invoice(
            invoice_id=f"INV-{i:05d}",
            customer_id=f"C{i % CUSTOMERS}",
            invoice_date=date(2026, 10, 1),
            due_date=date(2026, 10, 31),
            amount=_amount(i),
            open_amount=_amount(i),
        )
        for i in range(invoices)
    ]
    return customers, rows


def _line(n: int, description: str, amount: Decimal) -> BankLine:
    return BankLine(
        account="operating",
        bank_id=f"TX{n:05d}",
        booked_on=date(2026, 11, 2),
        amount=amount,
        currency="USD",
        description=description,
    )


def _lines(invoices: int) -> list[BankLine]:
    """Each invoice paid once, a third paid twice, payers unknown, two customers in one payment."""
    out = []
    for i in range(invoices):  # the payer named, the invoice named
        out.append(_line(i, f"CUSTOMER {i % CUSTOMERS} INDUSTRIES PAYMENT INV-{i:05d}", _amount(i)))
    for i in range(0, invoices, 3):  # the same invoice paid again: only one may have it
        text = f"CUSTOMER {i % CUSTOMERS} INDUSTRIES PAYMENT INV-{i:05d}"
        out.append(_line(10_000 + i, text, _amount(i)))
    for i in range(1, invoices, 5):  # no payer, no reference: the amount alone
        out.append(_line(20_000 + i, "INCOMING TRANSFER", _amount(i)))
    for i in range(0, invoices - 1, 4):  # one payment for invoices of two customers
        text = f"REMITTANCE INV-{i:05d} INV-{i + 1:05d}"
        out.append(_line(30_000 + i, text, _amount(i) + _amount(i + 1)))
    return out


def _seed(store: Store, invoices: int) -> Snapshot:
    customers, rows = _book(invoices)
    with store.transaction() as session:
        erp.save_snapshot(session, "books", customers, rows, NOW)
        bank.import_file(
            session,
            source="operating",
            path="/bank/statement.csv",
            name="statement.csv",
            sha256="a" * 64,
            lines=_lines(invoices),
            now=NOW,
        )
    return Snapshot(customers=customers, invoices=rows, taken_at=None)


def _decider(store: Store, snapshot: Snapshot, worker: str, chunk: int = 7) -> SharedDecide:
    return SharedDecide(
        store=store,
        erp_name="books",
        snapshot=snapshot,
        settings=MatchSettings(),
        summary=RunSummary(run_id=f"run-{worker}"),
        clock=lambda: NOW,
        deposits=None,
        worker=worker,
        chunk=chunk,
    )


def _statuses(store: Store) -> Counter[str]:
    with store.transaction() as session:
        return Counter(session.exec(select(BankLineRow.status)).all())


def _check_invariants(store: Store, snapshot: Snapshot) -> int:
    """I2 per invoice and I3 per line over every application written; their count."""
    opened = {inv.invoice_id: inv.open_amount for inv in snapshot.invoices}
    with store.transaction() as session:
        apps = session.exec(select(ApplicationRow)).all()
    spent: Counter[str] = Counter()
    taken: dict[str, Decimal] = {}
    for app in apps:
        spent[str(app.bank_line_id)] += 1
        for a in app.allocations:
            if a["invoice_id"]:
                amount = Decimal(a["amount"]) + Decimal(a["adjustment"])
                taken[a["invoice_id"]] = taken.get(a["invoice_id"], Decimal(0)) + amount
    assert all(n == 1 for n in spent.values()), "a line applied twice"
    over = {k: (v, opened[k]) for k, v in taken.items() if v > opened[k]}
    assert not over, f"invoices over-applied: {over}"
    return len(apps)


@pytest.fixture
def pg_store(postgres: PostgresServer) -> Iterator[Store]:
    engine = create_store_engine(postgres.fresh_database())
    yield Store(engine)
    engine.dispose()


def test_three_daemons_at_once_never_over_apply_an_invoice(pg_store: Store) -> None:
    snapshot = _seed(pg_store, 60)
    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def daemon(n: int) -> None:
        try:
            start.wait()
            _decider(pg_store, snapshot, f"host:{n}").run(recorded=False, by_hand=False)
        except BaseException as exc:  # reported below, with the thread's error
            errors.append(exc)

    threads = [threading.Thread(target=daemon, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    _decider(pg_store, snapshot, "host:last").run(recorded=False, by_hand=False)  # what was skipped
    applied = _check_invariants(pg_store, snapshot)
    statuses = _statuses(pg_store)
    assert statuses["pending"] == 0
    assert statuses["applied"] == applied
    assert applied >= 60  # every invoice paid once at least; the doubles are not applied again


def test_shared_decide_on_one_store_applies_what_the_plain_decide_does(store: Store) -> None:
    snapshot = _seed(store, 30)
    _decider(store, snapshot, "solo", chunk=4).run(recorded=False, by_hand=False)
    applied = _check_invariants(store, snapshot)
    assert _statuses(store)["pending"] == 0
    assert applied >= 30


def test_a_held_partition_is_left_to_its_holder(pg_store: Store) -> None:
    snapshot = _seed(pg_store, 12)
    other = Store(pg_store.engine)
    with other.transaction() as session:
        assert locks.try_partitions(session, [_partition("C1")]) == {_partition("C1")}
        _decider(pg_store, snapshot, "host:1").run(recorded=False, by_hand=False)
    with pg_store.transaction() as session:
        rows = session.exec(select(BankLineRow.description, BankLineRow.status)).all()
    c1 = [status for text, status in rows if text.startswith("CUSTOMER 1 ")]
    others = [status for text, status in rows if text.startswith("CUSTOMER 2 ")]
    assert c1
    assert set(c1) == {"pending"}
    assert others
    assert "pending" not in others
    # the remainder waits too: the other daemon's partition excludes it
    rest = [status for text, status in rows if text.startswith(("INCOMING", "REMITTANCE"))]
    assert rest
    assert set(rest) == {"pending"}


def test_the_remainder_is_never_decided_by_two_at_once(pg_store: Store) -> None:
    snapshot = _seed(pg_store, 12)
    other = Store(pg_store.engine)
    with other.transaction() as session:
        assert locks.try_remainder(session)
        with pg_store.transaction() as mine:
            assert not locks.try_remainder(mine)
            assert locks.try_partitions(mine, [1, 2]) == set()
        _decider(pg_store, snapshot, "host:1").run(recorded=False, by_hand=False)
        assert _statuses(pg_store) == Counter({"pending": len(_lines(12))})
    with pg_store.transaction() as mine:  # freed at the other's commit
        assert locks.try_remainder(mine)


def test_partitions_lock_apart_and_exclude_the_remainder(pg_store: Store) -> None:
    with pg_store.transaction() as first:
        assert locks.try_partitions(first, [1, 2]) == {1, 2}
        with Store(pg_store.engine).transaction() as second:
            assert locks.try_partitions(second, [2, 3]) == {3}
            assert not locks.try_remainder(second)


def test_a_line_held_by_another_transaction_is_skipped(pg_store: Store) -> None:
    _seed(pg_store, 6)
    with pg_store.transaction() as session:
        ids = [i for i, _ in bank.load_pending(session)][:4]
    with pg_store.transaction() as first:
        assert locks.claim_pending(first, ids[:2]) == set(ids[:2])
        with Store(pg_store.engine).transaction() as second:
            assert locks.claim_pending(second, ids) == set(ids[2:])


def test_every_lock_is_granted_on_sqlite(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'state.db'}")
    upgrade(engine)
    with Store(engine).transaction() as session, Store(engine).transaction() as again:
        assert locks.try_remainder(session)
        assert locks.try_partitions(again, [5, 9]) == {5, 9}
    engine.dispose()


def _partition(customer_id: str) -> int:
    return partition_of(customer_id)
