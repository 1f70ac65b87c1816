"""Repository of the ERP snapshot: customers and invoices as last fetched."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from arbridge.domain.records import Customer, Invoice
from arbridge.store import register
from arbridge.store._core import bulk_insert, serialize, sync_rows, table_of
from arbridge.store.register import remember_invoices
from arbridge.store.tables import CustomerRow, InvoiceRow, SyncCursorRow

_CHUNK = 500


def save_snapshot(
    session: Session,
    erp: str,
    customers: Sequence[Customer],
    invoices: Sequence[Invoice],
    now: datetime,
    *,
    fingerprint: str | None = None,
) -> None:
    """Make the stored snapshot of one ERP what was just fetched (skipped if unchanged).

    Only the rows that differ are written (a row's `seen_at` is when that version was
    first fetched): between two pulls of a large ERP few invoices change, and rewriting
    all of them cost more than the rest of the cycle. `fingerprint`, when the source
    gives one (a hash of what was read), stands in for hashing the records again.
    """
    digest = f"source:{fingerprint}" if fingerprint else _digest(customers, invoices)
    serialize(session, f"snapshot:{erp}")  # daemons sharing the store take turns
    cursor = session.get(SyncCursorRow, (erp, "snapshot"))
    if cursor is not None and cursor.value == digest:
        return
    session.merge(SyncCursorRow(connector=erp, stream="snapshot", value=digest, updated_at=now))
    fresh_customers = (_customer_values(erp, c, now) for c in customers)
    sync_rows(session, table_of(CustomerRow), erp, "customer_id", fresh_customers)
    fresh_invoices = (_invoice_values(erp, i, now) for i in invoices)
    sync_rows(session, table_of(InvoiceRow), erp, "invoice_id", fresh_invoices)
    remember_invoices(session, erp, invoices, now)


def _digest(customers: Sequence[Customer], invoices: Sequence[Invoice]) -> str:
    """A fingerprint of the fetched records (their reprs are complete and ordered)."""
    digest = hashlib.sha256()
    for record in (*customers, *invoices):
        digest.update(repr(record).encode())
    return digest.hexdigest()


def _customer_values(erp: str, c: Customer, now: datetime) -> dict[str, object]:
    return {
        "erp": erp,
        "customer_id": c.customer_id,
        "name": c.name,
        "parent_id": c.parent_id,
        "terms": c.terms,
        "currency": c.currency,
        "email": c.email,
        "phone": c.phone,
        "language": c.language,
        "seen_at": now,
    }


def _invoice_values(erp: str, inv: Invoice, now: datetime) -> dict[str, object]:
    return {
        "erp": erp,
        "invoice_id": inv.invoice_id,
        "customer_id": inv.customer_id,
        "invoice_date": inv.invoice_date,
        "due_date": inv.due_date,
        "amount": inv.amount,
        "open_amount": inv.open_amount,
        "currency": inv.currency,
        "terms": inv.terms,
        "po_number": inv.po_number,
        "tax_amount": inv.tax_amount,
        "ship_to_region": inv.ship_to_region,
        "seen_at": now,
    }


def customer_names(session: Session, erp: str) -> dict[str, str]:
    """customer_id -> name, for display."""
    query = select(CustomerRow.customer_id, CustomerRow.name).where(CustomerRow.erp == erp)
    return dict(session.connection().execute(query).all())  # Row pairs: no ORM rows


def load_snapshot(
    session: Session, erp: str
) -> tuple[list[Customer], list[Invoice], datetime] | None:
    """The last stored snapshot of one ERP and when it was taken; None if there is none."""
    cursor = session.get(SyncCursorRow, (erp, "snapshot"))
    if cursor is None:
        return None
    customers = [
        Customer(
            customer_id=c.customer_id,
            name=c.name,
            parent_id=c.parent_id,
            terms=c.terms,
            currency=c.currency,
            email=c.email,
            phone=c.phone,
            language=c.language,
        )
        for c in session.exec(select(CustomerRow).where(CustomerRow.erp == erp))
    ]
    more = register.extras(session, erp)
    invoices = [
        Invoice(
            invoice_id=i.invoice_id,
            customer_id=i.customer_id,
            invoice_date=i.invoice_date,
            due_date=i.due_date,
            amount=i.amount,
            open_amount=i.open_amount,
            currency=i.currency,
            terms=i.terms,
            po_number=i.po_number,
            tax_amount=i.tax_amount,
            ship_to_region=i.ship_to_region,
            **more.get(i.invoice_id, {}),
        )
        for i in session.exec(select(InvoiceRow).where(InvoiceRow.erp == erp))
    ]
    return customers, invoices, cursor.updated_at


def merge_changes(
    session: Session,
    erp: str,
    customers: Sequence[Customer],
    invoices: Sequence[Invoice],
    now: datetime,
) -> None:
    """Apply an incremental pull: replace the customers, upsert the changed invoices."""
    serialize(session, f"snapshot:{erp}")
    session.execute(delete(CustomerRow).where(col(CustomerRow.erp) == erp))
    if customers:
        session.connection().execute(
            insert(table_of(CustomerRow)), [_customer_values(erp, c, now) for c in customers]
        )
    ids = [i.invoice_id for i in invoices]
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        session.execute(
            delete(InvoiceRow).where(
                col(InvoiceRow.erp) == erp, col(InvoiceRow.invoice_id).in_(chunk)
            )
        )
    if invoices:
        session.connection().execute(
            insert(table_of(InvoiceRow)), [_invoice_values(erp, i, now) for i in invoices]
        )
    remember_invoices(session, erp, invoices, now)
    session.merge(
        SyncCursorRow(connector=erp, stream="snapshot", value="incremental", updated_at=now)
    )


def update_invoices(
    session: Session, erp: str, invoices: Sequence[Invoice], now: datetime, *, fingerprint: str
) -> None:
    """Replace these invoices in the stored snapshot (the rest stands as it was).

    For a source that says exactly which invoices changed since the stored snapshot
    (rows appended to the csv ERP's applications.csv): the snapshot is then as current
    as a full pull, so its time and fingerprint move on with it.
    """
    serialize(session, f"snapshot:{erp}")
    ids = [i.invoice_id for i in invoices]
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        session.execute(
            delete(InvoiceRow).where(
                col(InvoiceRow.erp) == erp, col(InvoiceRow.invoice_id).in_(chunk)
            )
        )
    bulk_insert(session, table_of(InvoiceRow), [_invoice_values(erp, i, now) for i in invoices])
    remember_invoices(session, erp, invoices, now)
    value = f"source:{fingerprint}"
    session.merge(SyncCursorRow(connector=erp, stream="snapshot", value=value, updated_at=now))
