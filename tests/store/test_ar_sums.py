"""The database sums (store.ar_sums) equal the pure functions over every netted open item."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from arbridge.domain.records import Customer, Invoice
from arbridge.receivables import Basis, Buckets
from arbridge.receivables.aging import tally
from arbridge.receivables.kpis import open_totals
from arbridge.receivables.worklist import owed_by_customer
from arbridge.store import Store, ar_sums, erp
from arbridge.store import ar as store_ar
from tests.store.test_ar_open_book import T0, _post

AS_OF = date(2026, 11, 30)


def _book(store: Store, seed: int) -> None:
    """C1 (whose INV-1 the postings touch) and 30 other customers, every age, some credits."""
    rng = random.Random(seed)
    people = [Customer(customer_id=f"C{n}", name=f"N{n}") for n in range(1, 32)]
    invoices = [
        Invoice(
            invoice_id="INV-1",
            customer_id="C1",
            invoice_date=date(2026, 10, 1),
            due_date=date(2026, 10, 31),
            amount=Decimal("500.00"),
            open_amount=Decimal("500.00"),
        )
    ]
    for n in range(400):
        due = AS_OF + timedelta(days=rng.randint(-130, 30))
        amount = Decimal(rng.randint(-5_000, 900_000)).scaleb(-2)
        open_ = amount if n % 5 else Decimal(rng.randint(0, 9_999)).scaleb(-4)  # odd cents too
        invoices.append(
            Invoice(
                invoice_id=f"X{n}",
                customer_id=people[n % len(people)].customer_id,
                invoice_date=due - timedelta(days=rng.choice((0, 15, 30, 45))),
                due_date=due,
                amount=amount,
                open_amount=open_,
            )
        )
    with store.transaction() as session:
        erp.save_snapshot(session, "books", people, invoices, T0)


@pytest.mark.parametrize("posted", [False, True])
@pytest.mark.parametrize("basis", list(Basis))
def test_the_sums_match_the_items(store: Store, posted: bool, basis: Basis) -> None:
    _book(store, seed=5)
    if posted:  # a payment the snapshot does not show yet: C1 is recomputed from its items
        _post(store, "TX1", "200.00", T0 + timedelta(minutes=1))
    buckets = Buckets((15, 45, 75, 120))
    disputed = {"C2": frozenset({"X1", "X32", "X63"}), "C1": frozenset({"INV-1"})}
    with store.transaction() as session:
        book = store_ar.open_book(session, "books")
        assert book is not None
        if posted:
            assert [i.open_amount for i in book.items if i.invoice_id == "INV-1"] == [
                Decimal("300.00")
            ]
        sums = ar_sums.aging_sums(session, "books", AS_OF, buckets=buckets, basis=basis)
        assert sums == tally(book.items, AS_OF, buckets=buckets, basis=basis)
        assert ar_sums.kpi_totals(session, "books", AS_OF) == open_totals(book.items, AS_OF)
        owed = ar_sums.owed(session, "books", AS_OF, disputed)
        assert owed == owed_by_customer(book.items, AS_OF, disputed)
        assert owed["C2"].disputed > 0
        day = AS_OF - timedelta(days=40)
        expected = sum((i.open_amount for i in book.items if i.invoice_date <= day), Decimal(0))
        assert ar_sums.open_dated_by(session, "books", day) == expected


def test_no_snapshot_no_sums(store: Store) -> None:
    with store.transaction() as session:
        assert ar_sums.kpi_totals(session, "books", AS_OF) is None
        assert (
            ar_sums.aging_sums(session, "books", AS_OF, buckets=Buckets(), basis=Basis.DUE_DATE)
            is None
        )
        assert ar_sums.owed(session, "books", AS_OF, {}) is None
