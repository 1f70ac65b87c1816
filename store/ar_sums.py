"""Aging, KPI totals and past-due sums of a large open book, added up by the database.

`ar.open_book` turns every open invoice into an object: right for one customer's
statement, too heavy for a million invoices. Here the database sums the scaled integer
amounts (exact, see store._types.Money) per customer with CASE buckets, and only the few
customers touched by a posting the ERP snapshot does not show yet are recomputed from
their netted items (`ar.open_book` for those customers), so the figures are the same,
to the cent, as the pure functions over the whole book.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, and_, case, func, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import Session

from arbridge.receivables.aging import ZERO, Basis, Buckets, OpenItem, tally
from arbridge.receivables.kpis import LONG_OVERDUE_DAYS, OVERDUE_DAYS, OpenTotals, open_totals
from arbridge.receivables.worklist import Owed, owed_by_customer
from arbridge.store import ar
from arbridge.store._core import table_of
from arbridge.store.tables import InvoiceRow

_CHUNK = 500
_INVOICES = table_of(InvoiceRow)
_AMOUNT = type_coerce(_INVOICES.c.open_amount, BigInteger)  # summed as scaled integers


@dataclass(frozen=True, slots=True)
class Touched:
    """The customers with a posting the snapshot does not show, and their netted items."""

    customers: frozenset[str]
    items: list[OpenItem]


def touched(session: Session, erp: str) -> Touched | None:
    """None before the first pull; else who the database sums cannot be trusted for."""
    taken_at = ar.snapshot_time(session, erp)
    if taken_at is None:
        return None
    unreflected = ar.posted_since(session, erp, taken_at)
    if not unreflected:
        return Touched(frozenset(), [])
    customers: set[str] = set()
    ids = list(unreflected)
    for start in range(0, len(ids), _CHUNK):
        query = sa_select(_INVOICES.c.customer_id).where(
            _INVOICES.c.erp == erp, _INVOICES.c.invoice_id.in_(ids[start : start + _CHUNK])
        )
        customers.update(session.connection().execute(query).scalars())
    book = ar.open_book(session, erp, customers=customers)
    return Touched(frozenset(customers), book.items if book else [])


def _money(raw: Any) -> Decimal:
    """A summed scaled amount (int on SQLite, Decimal on PostgreSQL) as money."""
    return ZERO if raw is None else Decimal(int(raw)).scaleb(-4)


def _grouped(
    session: Session, erp: str, columns: Iterable[ColumnElement[Any]], skip: frozenset[str]
) -> Iterator[tuple[Any, ...]]:
    """(customer id, *columns) per customer with money open, customers in `skip` left out."""
    inv = _INVOICES
    query = (
        sa_select(inv.c.customer_id, *columns)
        .where(inv.c.erp == erp, _AMOUNT != 0)
        .group_by(inv.c.customer_id)
    )
    for row in session.connection().execute(query):
        if row[0] not in skip:
            yield tuple(row)


def _sum_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.sum(case((condition, _AMOUNT), else_=0))


def aging_sums(
    session: Session, erp: str, as_of: date, *, buckets: Buckets, basis: Basis
) -> dict[str, list[Decimal]] | None:
    """Per customer, the open money in each bucket, as `receivables.aging.tally` gives it."""
    found = touched(session, erp)
    if found is None:
        return None
    on = _INVOICES.c.due_date if basis is Basis.DUE_DATE else _INVOICES.c.invoice_date
    edges = [as_of] + [as_of - timedelta(days=b) for b in buckets.bounds]  # age <= 0, b1, b2...
    columns = [_sum_if(on >= edge) for edge in edges] + [func.sum(_AMOUNT)]  # one test each
    sums = {}
    for cid, *upto in _grouped(session, erp, columns, found.customers):
        scaled = [int(v or 0) for v in upto]  # running sums: each bucket is a difference
        sums[cid] = [_money(scaled[0])] + [_money(b - a) for a, b in pairwise(scaled)]
    sums.update(tally(found.items, as_of, buckets=buckets, basis=basis))
    return sums


def kpi_totals(session: Session, erp: str, as_of: date) -> OpenTotals | None:
    """The totals `receivables.kpis.kpis_of` needs, for the whole open book."""
    found = touched(session, erp)
    if found is None:
        return None
    due, amount = _INVOICES.c.due_date, _AMOUNT
    columns = [
        func.sum(_AMOUNT),
        _sum_if(due < as_of),
        _sum_if(due < as_of - timedelta(days=OVERDUE_DAYS)),
        func.count(),
        func.sum(case((and_(due < as_of - timedelta(days=LONG_OVERDUE_DAYS), amount > 0), 1))),
    ]
    whole, past, over_20, count, over_90 = _total(session, erp, columns, found.customers)
    database = OpenTotals(_money(whole), _money(past), _money(over_20), count, over_90)
    return database.plus(open_totals(found.items, as_of))


def _total(
    session: Session, erp: str, columns: list[ColumnElement[Any]], skip: frozenset[str]
) -> list[int]:
    """The columns (sums and counts) over the open invoices of every customer not in `skip`."""
    inv = _INVOICES
    query = sa_select(*columns).where(inv.c.erp == erp, _AMOUNT != 0)
    total = [int(v or 0) for v in session.connection().execute(query).one()]
    wanted = sorted(skip)
    for start in range(0, len(wanted), _CHUNK):
        some = query.where(inv.c.customer_id.in_(wanted[start : start + _CHUNK]))
        part = session.connection().execute(some).one()
        total = [t - int(v or 0) for t, v in zip(total, part, strict=True)]
    return total


def owed(
    session: Session, erp: str, as_of: date, disputed: Mapping[str, frozenset[str]]
) -> dict[str, Owed] | None:
    """Per customer, the money past due on `as_of`, as `owed_by_customer` gives it."""
    found = touched(session, erp)
    if found is None:
        return None
    due, amount = _INVOICES.c.due_date, _AMOUNT
    late = and_(due < as_of, amount > 0)
    columns = [_sum_if(late), func.min(case((late, due)))]
    in_dispute = _disputed_amounts(session, erp, as_of, disputed, found.customers)
    out: dict[str, Owed] = {}
    for cid, past_due, oldest in _grouped(session, erp, columns, found.customers):
        if oldest is not None:
            days = (as_of - ar.day_of(oldest)).days
            out[cid] = Owed(_money(past_due), days, in_dispute.get(cid, ZERO))
    out.update(owed_by_customer(found.items, as_of, disputed))
    return out


def _disputed_amounts(
    session: Session,
    erp: str,
    as_of: date,
    disputed: Mapping[str, frozenset[str]],
    skip: frozenset[str],
) -> dict[str, Decimal]:
    """Per customer, the past-due money of its invoices in dispute."""
    ids = sorted({i for cid, d in disputed.items() if cid not in skip for i in d})
    inv = _INVOICES
    out: dict[str, Decimal] = {}
    for start in range(0, len(ids), _CHUNK):
        query = sa_select(inv.c.customer_id, inv.c.invoice_id, inv.c.open_amount).where(
            inv.c.erp == erp,
            inv.c.invoice_id.in_(ids[start : start + _CHUNK]),
            inv.c.due_date < as_of,
            _AMOUNT > 0,
        )
        for cid, invoice_id, amount in session.connection().execute(query):
            if invoice_id in disputed.get(cid, ()) and cid not in skip:
                out[cid] = out.get(cid, ZERO) + amount
    return out


def open_dated_by(session: Session, erp: str, day: date) -> Decimal:
    """The open money of the invoices dated `day` or before (netted like `ar.open_book`)."""
    found = touched(session, erp)
    if found is None:
        return ZERO
    (total,) = _total(session, erp, [_sum_if(_INVOICES.c.invoice_date <= day)], found.customers)
    return _money(total) + sum((i.open_amount for i in found.items if i.invoice_date <= day), ZERO)
