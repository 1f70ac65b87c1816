"""The stored ERP snapshot follows each pull, writing only what changed."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlmodel import select

from arbridge.domain.records import Customer, Invoice
from arbridge.store import Store, erp
from arbridge.store.tables import InvoiceRow

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _invoice(n: int, open_amount: str = "100.00", **extra: object) -> Invoice:
    return Invoice(
        invoice_id=f"INV-{n}",
        customer_id="C1",
        invoice_date=date(2026, 10, 1),
        due_date=date(2026, 10, 31),
        amount=Decimal("100.00"),
        open_amount=Decimal(open_amount),
        **extra,  # type: ignore[arg-type]  # keyword overrides of a test builder, checked at run time by the record's constructor
    )


CUSTOMERS = [Customer(customer_id="C1", name="Acme"), Customer(customer_id="C2", name="Beta")]


def _seen(store: Store) -> dict[str, tuple[Decimal, datetime]]:
    with store.transaction() as session:
        rows = session.exec(select(InvoiceRow).where(InvoiceRow.erp == "books"))
        return {r.invoice_id: (r.open_amount, r.seen_at.astimezone(UTC)) for r in rows}


def test_a_second_pull_rewrites_changed_rows_drops_gone_ones_and_adds_new_ones(
    store: Store,
) -> None:
    first = [_invoice(1), _invoice(2), _invoice(3)]
    with store.transaction() as session:
        erp.save_snapshot(session, "books", CUSTOMERS, first, T0)
    second = [_invoice(1), _invoice(2, "40.00"), _invoice(4)]

    with store.transaction() as session:
        erp.save_snapshot(session, "books", CUSTOMERS[:1], second, T1)

    seen = _seen(store)
    assert seen == {
        "INV-1": (Decimal("100.00"), T0),  # unchanged: not rewritten
        "INV-2": (Decimal("40.00"), T1),
        "INV-4": (Decimal("100.00"), T1),
    }
    with store.transaction() as session:
        loaded = erp.load_snapshot(session, "books")
    assert loaded is not None
    assert [c.customer_id for c in loaded[0]] == ["C1"]
    assert sorted(loaded[1], key=lambda i: i.invoice_id) == second


def test_a_change_in_an_optional_field_alone_is_written(store: Store) -> None:
    with store.transaction() as session:
        erp.save_snapshot(session, "books", CUSTOMERS, [_invoice(1)], T0)
    taxed = _invoice(1, tax_amount=Decimal("8.25"), ship_to_region="CA")

    with store.transaction() as session:
        erp.save_snapshot(session, "books", CUSTOMERS, [taxed], T1)
        loaded = erp.load_snapshot(session, "books")

    assert loaded is not None
    assert loaded[1] == [taxed]


def test_snapshots_of_two_erps_do_not_touch_each_other(store: Store) -> None:
    with store.transaction() as session:
        erp.save_snapshot(session, "books", CUSTOMERS, [_invoice(1)], T0)
        erp.save_snapshot(session, "other", CUSTOMERS, [_invoice(2)], T0)

    with store.transaction() as session:
        erp.save_snapshot(session, "other", CUSTOMERS, [_invoice(3)], T1)
        books = erp.load_snapshot(session, "books")

    assert books is not None
    assert [i.invoice_id for i in books[1]] == ["INV-1"]


def test_an_amount_changed_between_minus_one_and_minus_two_is_rewritten(store: Store) -> None:
    """CPython hashes -1 as -2: the row comparison must still tell these amounts apart."""
    credit = Invoice(
        invoice_id="CM-1",
        customer_id="C1",
        invoice_date=date(2026, 10, 1),
        due_date=date(2026, 10, 31),
        amount=Decimal("-1.00"),
        open_amount=Decimal("-1.00"),
    )
    with store.transaction() as session:
        erp.save_snapshot(session, "books", CUSTOMERS, [credit], T0)
    changed = dataclasses.replace(credit, amount=Decimal("-2"), open_amount=Decimal("-2"))

    with store.transaction() as session:
        erp.save_snapshot(session, "books", CUSTOMERS, [changed], T1)

    assert _seen(store) == {"CM-1": (Decimal("-2.00"), T1)}
