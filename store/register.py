"""The invoice register: what commissions and deposits need of an invoice, kept after payment.

Many ERPs list open invoices only; once paid, an invoice drops out of the snapshot, but its
cash must still find its sales rep, and a paid deposit its final invoice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlmodel import Session

from arbridge.domain.commissions import InvoiceTerms
from arbridge.domain.records import Invoice
from arbridge.store._core import bulk_insert, table_of
from arbridge.store.tables import InvoiceRegisterRow

_CHUNK = 500
_BIG_CHUNK = 5000  # under SQLite's 32766 and PostgreSQL's 65535 bound parameters
_TERMS = (
    "customer_id",
    "sales_rep",
    "amount",
    "kind",
    "approved",
    "tax_amount",
    "freight_amount",
    "invoice_date",
    "open_amount",
    "order_ref",
    "retainage_pct",
)


def remember_invoices(
    session: Session, erp: str, invoices: Iterable[Invoice], now: datetime
) -> None:
    """Keep the terms of every invoice with a rep, kind, order or retainage; write what changed.

    Rows are deleted only when the ERP lists the invoice without any of these any more: a
    paid invoice drops out of many ERPs' open-invoice lists, and its cash must still find its
    rep (and a paid deposit its final invoice).
    """
    table = table_of(InvoiceRegisterRow)
    listed = {i.invoice_id: i for i in invoices}
    fresh = {k: _terms_values(i) for k, i in listed.items() if _tracked(i)}
    query = select(table.c.invoice_id, *(table.c[c] for c in _TERMS)).where(table.c.erp == erp)
    stored = {row[0]: tuple(row[1:]) for row in session.connection().execute(query)}
    changed = [k for k, v in fresh.items() if stored.get(k) != tuple(v[c] for c in _TERMS)]
    dropped = [k for k in stored if k in listed and k not in fresh]
    stale = [k for k in changed if k in stored] + dropped
    for start in range(0, len(stale), _CHUNK):
        chunk = stale[start : start + _CHUNK]
        session.connection().execute(
            delete(table).where(table.c.erp == erp, table.c.invoice_id.in_(chunk))
        )
    rows = [{"erp": erp, "invoice_id": k, **fresh[k], "seen_at": now} for k in changed]
    bulk_insert(session, table, rows)


def _tracked(invoice: Invoice) -> bool:
    """Whether commissions or deposits will ask for this invoice after it is paid."""
    return bool(
        invoice.sales_rep or invoice.kind or invoice.order_ref or invoice.retainage_pct is not None
    )


def _terms_values(invoice: Invoice) -> dict[str, Any]:
    return {
        "customer_id": invoice.customer_id,
        "sales_rep": invoice.sales_rep,
        "amount": invoice.amount,
        "kind": invoice.kind,
        "approved": invoice.approved,
        "tax_amount": invoice.tax_amount,
        "freight_amount": invoice.freight_amount,
        "invoice_date": invoice.invoice_date,
        "open_amount": invoice.open_amount,
        "order_ref": invoice.order_ref,
        "retainage_pct": invoice.retainage_pct,
    }


def invoice_terms(
    session: Session, erp: str, invoice_ids: Iterable[str]
) -> dict[str, InvoiceTerms]:
    """The register's terms of these invoices (those without a rep are absent)."""
    table = table_of(InvoiceRegisterRow)
    query = select(table.c.invoice_id, *(table.c[c] for c in _TERMS)).where(
        table.c.erp == erp, table.c.invoice_id.in_(bindparam("ids", expanding=True))
    )
    found: dict[str, InvoiceTerms] = {}
    for chunk in chunks(sorted(set(invoice_ids))):
        for row in session.connection().execute(query, {"ids": chunk}):
            found[row.invoice_id] = _terms(row)
    return found


def orders_and_retainage(session: Session, erp: str) -> list[InvoiceTerms]:
    """Register rows with a kind or retainage: deposits, finals and progress bills."""
    table = table_of(InvoiceRegisterRow)
    query = select(table.c.invoice_id, *(table.c[c] for c in _TERMS)).where(
        table.c.erp == erp,
        (table.c.kind.is_not(None)) | (table.c.retainage_pct.is_not(None)),
    )
    return [_terms(row) for row in session.connection().execute(query)]


_EXTRAS = ("sales_rep", "kind", "approved", "freight_amount", "order_ref", "retainage_pct")


def extras(session: Session, erp: str) -> dict[str, dict[str, Any]]:
    """What the register adds to a stored snapshot's invoices: rep, kind, order, retainage.

    An incremental ERP's snapshot is read back from `erp_invoice`, which keeps only what
    matching always needs; these fields live here.
    """
    table = table_of(InvoiceRegisterRow)
    query = select(table.c.invoice_id, *(table.c[c] for c in _EXTRAS)).where(table.c.erp == erp)
    return {
        row[0]: dict(zip(_EXTRAS, row[1:], strict=True))
        for row in session.connection().execute(query)
    }


def _terms(row: Any) -> InvoiceTerms:
    """A register row (invoice_id, then the columns of `_TERMS` in order) as terms."""
    (number, customer, rep, amount, kind, approved, tax, freight, day, left, order, pct) = row
    return InvoiceTerms(
        invoice_id=number,
        customer_id=customer,
        sales_rep=rep,
        amount=amount,
        kind=kind,
        approved=approved,
        tax_amount=tax,
        freight_amount=freight,
        invoice_date=day,
        open_amount=left,
        order_ref=order,
        retainage_pct=pct,
    )


def chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """Slices small enough for one IN (...) list."""
    for start in range(0, len(values), _BIG_CHUNK):
        yield values[start : start + _BIG_CHUNK]
