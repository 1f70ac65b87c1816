"""Outbox claims: disjoint batches for concurrent workers, expired claims taken over."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from arbridge.domain.records import Allocation, Application, BankLine
from arbridge.store import Store, bank, postings
from arbridge.store.postings import NewApplication

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


def _seed(store: Store, count: int) -> None:
    lines = [
        BankLine(
            account="operating",
            bank_id=f"TX{n}",
            booked_on=date(2026, 11, 2),
            amount=Decimal("10.00"),
            currency="USD",
            description=f"INV-{n}",
        )
        for n in range(count)
    ]
    with store.transaction() as session:
        bank.import_file(
            session,
            source="operating",
            path="/x.csv",
            name="x.csv",
            sha256="0" * 64,
            lines=lines,
            now=NOW,
        )
        ids = dict(bank.pending_lines(session))
        apps = [
            NewApplication(
                bank_line_id=ids["operating", line.bank_id],
                application=Application(
                    idempotency_key=f"books:operating:{line.bank_id}",
                    bank_account="operating",
                    bank_id=line.bank_id,
                    customer_id="C1",
                    booked_on=line.booked_on,
                    amount=line.amount,
                    allocations=(
                        Allocation(
                            invoice_id=line.description, customer_id="C1", amount=line.amount
                        ),
                    ),
                ),
                confidence=0.99,
                explanation="test",
            )
            for line in lines
        ]
        postings.add_applications(session, apps, erp="books", run_id=None, now=NOW)


def _claim(store: Store, worker: str, now: datetime, **kw: bool) -> list[str]:
    with store.transaction() as session:
        entries = postings.claim(
            session, "books", worker=worker, limit=3, now=now, lease=LEASE, **kw
        )
    return [e.application.bank_id for e in entries]


def test_workers_get_disjoint_batches_and_expired_claims_are_taken_over(store: Store) -> None:
    _seed(store, 5)

    first = _claim(store, "a", NOW)
    second = _claim(store, "b", NOW)
    assert len(first) == 3
    assert len(second) == 2
    assert not set(first) & set(second)
    assert _claim(store, "c", NOW) == []

    assert sorted(_claim(store, "c", NOW + LEASE + timedelta(seconds=1))) == sorted(first)


def test_the_lease_holder_ignores_claims_left_by_a_dead_predecessor(store: Store) -> None:
    _seed(store, 2)
    dead = _claim(store, "dead", NOW)

    assert _claim(store, "heir", NOW, honour_claims=False) == dead


def test_delivered_entries_are_never_claimed_again(store: Store) -> None:
    _seed(store, 2)
    with store.transaction() as session:
        entries = postings.claim(session, "books", worker="a", limit=5, now=NOW, lease=LEASE)
        postings.mark_all_sent(session, [(e.outbox_id, "ref") for e in entries], NOW)

    assert _claim(store, "b", NOW + LEASE * 2, honour_claims=False) == []
