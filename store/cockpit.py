"""Read-only queries behind the clerk's review page: names, invoices, totals, exports."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Text, cast
from sqlmodel import Session, col, func, select

from arbridge.store import _live
from arbridge.store.reviews import ReviewFilter
from arbridge.store.reviews import apply_filter as _where
from arbridge.store.tables import (
    ApplicationRow,
    BankLineRow,
    CustomerRow,
    InvoiceRow,
    PayerLinkRow,
    ReviewItemRow,
)

AGE_BUCKETS = ("0-2 days", "3-7 days", "8-30 days", "over 30 days")
NO_DATE = "no bank date"
_CHUNK = 500


def customer_names(session: Session, erp: str, ids: Iterable[str | None]) -> dict[str, str]:
    """The names of these customers (those the ERP knows)."""
    wanted = sorted({i for i in ids if i})
    names: dict[str, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        query = select(CustomerRow.customer_id, CustomerRow.name).where(
            CustomerRow.erp == erp, col(CustomerRow.customer_id).in_(wanted[start : start + _CHUNK])
        )
        names.update(session.exec(query).all())
    return names


def find_customers(session: Session, erp: str, text: str) -> list[tuple[str, str]]:
    """Customers whose id is `text`, else whose name is `text` (any case): (id, name) each."""
    by_id = session.get(CustomerRow, (erp, text))
    if by_id is not None:
        return [(by_id.customer_id, by_id.name)]
    query = select(CustomerRow.customer_id, CustomerRow.name).where(
        CustomerRow.erp == erp, func.lower(col(CustomerRow.name)) == text.lower()
    )
    return [(i, n) for i, n in session.exec(query.limit(20))]


def invoices(session: Session, erp: str, ids: Iterable[str]) -> dict[str, InvoiceRow]:
    """These invoices by id (those the ERP knows)."""
    wanted = sorted(set(ids))
    found: dict[str, InvoiceRow] = {}
    for start in range(0, len(wanted), _CHUNK):
        query = select(InvoiceRow).where(
            InvoiceRow.erp == erp, col(InvoiceRow.invoice_id).in_(wanted[start : start + _CHUNK])
        )
        found.update((row.invoice_id, row) for row in session.exec(query))
    return found


def search_invoices(session: Session, erp: str, text: str, limit: int = 20) -> list[InvoiceRow]:
    """Open invoices whose number or customer's name contains `text`, or whose amount it is."""
    like = f"%{text.lower()}%"
    named = select(CustomerRow.customer_id).where(
        CustomerRow.erp == erp, func.lower(col(CustomerRow.name)).like(like)
    )
    match = func.lower(col(InvoiceRow.invoice_id)).like(like) | col(InvoiceRow.customer_id).in_(
        named
    )
    amount = _amount(text)
    if amount is not None:
        match = match | (col(InvoiceRow.open_amount) == amount) | (col(InvoiceRow.amount) == amount)
    query = (
        select(InvoiceRow)
        .where(InvoiceRow.erp == erp, col(InvoiceRow.open_amount) > Decimal(0), match)
        .order_by(col(InvoiceRow.due_date), col(InvoiceRow.invoice_id))
        .limit(limit)
    )
    return list(session.exec(query))


def left_to_apply(session: Session, erp: str, rows: Iterable[InvoiceRow]) -> dict[str, Decimal]:
    """What arbridge may still apply to each invoice (as the money ledger counts it).

    That is its open amount less what is queued or was sent since that amount was read.
    """
    found = {row.invoice_id: row for row in rows}
    taken = _live.taken_from(session, erp, {i: r.seen_at for i, r in found.items()})
    return {i: r.open_amount - taken.get(i, Decimal(0)) for i, r in found.items()}


def _amount(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", "").strip())
    except ArithmeticError:
        return None
    if not value.is_finite() or abs(value) >= 10**12 or value != value.quantize(Decimal("0.01")):
        return None
    return value


def bank_lines(session: Session, item_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Bank date, payer and bank text of these review items' bank lines, by item."""
    wanted = sorted(set(item_ids))
    line = BankLineRow
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(wanted), _CHUNK):
        query = (
            select(
                col(ReviewItemRow.id),
                col(line.booked_on),
                col(line.payer_name),
                col(line.description),
            )
            .join(line, col(line.id) == col(ReviewItemRow.bank_line_id))
            .where(col(ReviewItemRow.id).in_(wanted[start : start + _CHUNK]))
        )
        for item_id, booked, payer, text in session.exec(query):
            if item_id is not None:
                found[item_id] = {"booked_on": booked, "payer": payer or "", "text": text}
    return found


@dataclass(frozen=True, slots=True)
class Totals:
    """Open cash of a filter: count and sum per reason and per age bucket (by bank date)."""

    by_reason: dict[str, tuple[int, Decimal]]
    by_age: dict[str, tuple[int, Decimal]]

    @property
    def count(self) -> int:
        """Items in all."""
        return sum(n for n, _ in self.by_reason.values())

    @property
    def amount(self) -> Decimal:
        """Cash in all."""
        return sum((a for _, a in self.by_reason.values()), Decimal("0.00"))


def totals(session: Session, wanted: ReviewFilter, today: date) -> Totals:
    """Counts and cash of the filter (its reason ignored for the per-reason figures).

    One aggregate over the queue index, by status, reason and bank date (in the index's
    order, so the database sorts nothing); the age buckets are summed here.
    """
    item = ReviewItemRow
    query = select(
        col(item.reason), col(item.booked_on), func.count(), func.sum(col(item.amount))
    ).group_by(col(item.status), col(item.reason), col(item.booked_on))
    by_reason: dict[str, tuple[int, Decimal]] = {}
    by_age: dict[str, tuple[int, Decimal]] = {}
    found = session.connection().execute(_where(query, replace(wanted, reason=None)))
    ages: dict[date | None, str] = {}
    for reason, booked, count, cash in found:
        money = cash or Decimal("0.00")
        by_reason[reason] = _add(by_reason.get(reason), count, money)
        if wanted.reason in (None, reason):
            age = ages.get(booked) or ages.setdefault(booked, _bucket(today, booked))
            by_age[age] = _add(by_age.get(age), count, money)
    return Totals(by_reason, by_age)


def _bucket(today: date, booked: date | None) -> str:
    if booked is None:
        return NO_DATE
    days = (today - booked).days
    for limit, name in zip((2, 7, 30), AGE_BUCKETS, strict=False):
        if days <= limit:
            return name
    return AGE_BUCKETS[3]


def _add(into: tuple[int, Decimal] | None, count: int, cash: Decimal) -> tuple[int, Decimal]:
    n, total = into or (0, Decimal("0.00"))
    return n + int(count), total + cash


EXPORT_COLUMNS = (
    "id",
    "status",
    "reason",
    "amount",
    "customer_id",
    "suggestions",
    "assignee",
    "created_at",
    "booked_on",
    "bank_id",
    "payer_name",
    "payer_account",
    "description",
)
"""The columns of each export row, in order (`suggestions` as its JSON text)."""


def export_rows(session: Session, wanted: ReviewFilter, chunk: int = 5000) -> Iterator[list[Any]]:
    """Every item of the filter with its bank line, oldest first, in chunks of plain rows.

    One query, read as it streams (a server-side cursor where the database has one),
    without the ORM; each row holds EXPORT_COLUMNS in order.
    """
    item, line = ReviewItemRow, BankLineRow
    columns: list[Any] = [
        *(col(getattr(item, name)) for name in EXPORT_COLUMNS[:8]),
        *(col(getattr(line, name)) for name in EXPORT_COLUMNS[8:]),
    ]
    columns[5] = cast(col(item.suggestions), Text)
    query = (
        select(*columns)
        .join(line, col(line.id) == col(item.bank_line_id), isouter=True)
        .order_by(col(item.id))
    )
    connection = session.connection().execution_options(stream_results=True, yield_per=chunk)
    for rows in connection.execute(_where(query, wanted)).partitions(chunk):
        yield list(rows)


def next_item(session: Session, wanted: ReviewFilter, after_id: int) -> int | None:
    """The first item of the filter after this one, else the filter's first; None if empty."""
    for start in (after_id, 0):
        query = select(ReviewItemRow.id).order_by(col(ReviewItemRow.id)).limit(1)
        found = session.exec(_where(query, replace(wanted, after_id=start))).first()
        if found is not None and found != after_id:
            return int(found)
    return None


@dataclass(frozen=True, slots=True)
class CustomerFile:
    """What the customer page shows."""

    customer: CustomerRow
    open_invoices: list[InvoiceRow]
    payments: list[tuple[ApplicationRow, BankLineRow]]
    links: list[PayerLinkRow]


def customer_file(
    session: Session, erp: str, customer_id: str, limit: int = 50
) -> CustomerFile | None:
    """A customer's open invoices, latest payments with their bank lines, and learned links."""
    customer = session.get(CustomerRow, (erp, customer_id))
    if customer is None:
        return None
    invoices = select(InvoiceRow).where(
        InvoiceRow.erp == erp,
        InvoiceRow.customer_id == customer_id,
        col(InvoiceRow.open_amount) != Decimal(0),
    )
    payments = (
        select(ApplicationRow, BankLineRow)
        .join(BankLineRow, col(BankLineRow.id) == col(ApplicationRow.bank_line_id))
        .where(ApplicationRow.erp == erp, ApplicationRow.customer_id == customer_id)
        .order_by(col(ApplicationRow.id).desc())
        .limit(limit)
    )
    links = select(PayerLinkRow).where(
        PayerLinkRow.erp == erp, PayerLinkRow.customer_id == customer_id
    )
    return CustomerFile(
        customer,
        list(session.exec(invoices.order_by(col(InvoiceRow.due_date)).limit(limit))),
        [(a, b) for a, b in session.exec(payments)],
        list(session.exec(links.order_by(col(PayerLinkRow.kind), col(PayerLinkRow.key)))),
    )
