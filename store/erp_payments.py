"""Repository of the payments recorded in the ERP and the bank lines they are linked to."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, update
from sqlmodel import Session, col, select

from arbridge.domain.posted import PostedAllocation, PostedPayment
from arbridge.store._core import bulk_insert, serialize, table_of
from arbridge.store.tables import (
    ApplicationRow,
    BankLineRow,
    ErpPaymentAllocationRow,
    ErpPaymentRow,
    OutboxRow,
)

_CHUNK = 500
SETTLED = "its reference names a bank line arbridge decided earlier"
"""The `link` of a payment that records a line arbridge itself applied (or queued)."""
REVERSED = "reversed by arbridge's correction; "
"""Start of the `link` of a payment arbridge queued a reversal of (the old link follows)."""


def _counted() -> Any:
    """A linked payment that still records its line: not arbridge's own, not reversed."""
    link = func.coalesce(table_of(ErpPaymentRow).c.link, "")
    return and_(link != SETTLED, ~link.startswith(REVERSED))


def _digest(p: PostedPayment) -> str:
    parts = [p.customer_id, p.paid_on.isoformat(), p.reference, p.memo, p.recorded_by or ""]
    parts += [f"{a.invoice_id or ''}={a.amount}" for a in p.allocations]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _values(erp: str, p: PostedPayment, now: datetime) -> dict[str, Any]:
    return {
        "erp": erp,
        "payment_id": p.payment_id,
        "customer_id": p.customer_id,
        "paid_on": p.paid_on,
        "amount": p.amount,
        "allocations": [
            {"invoice_id": a.invoice_id, "amount": str(a.amount)} for a in p.allocations
        ],
        "reference": p.reference,
        "memo": p.memo,
        "recorded_by": p.recorded_by,
        "digest": _digest(p),
        "bank_line_id": None,
        "link": None,
        "checked": False,
        "seen_at": now,
    }


def save_payments(
    session: Session,
    erp: str,
    payments: Sequence[PostedPayment],
    *,
    complete: bool,
    now: datetime,
) -> int:
    """Store what the ERP says; a new or changed payment is to be checked again. Returns how many.

    A changed payment keeps its bank line. With `complete`, stored payments missing from
    `payments` were deleted in the ERP and are deleted here too.
    """
    serialize(session, f"erp_payments:{erp}")
    table = table_of(ErpPaymentRow)
    query = select(table.c.payment_id, table.c.digest, table.c.bank_line_id, table.c.link).where(
        table.c.erp == erp
    )
    stored = {str(r[0]): (str(r[1]), r[2], r[3]) for r in session.connection().execute(query)}
    fresh = {p.payment_id: _values(erp, p, now) for p in payments}
    fresh_payments = {p.payment_id: p for p in payments}
    changed = [v for pid, v in fresh.items() if pid not in stored or stored[pid][0] != v["digest"]]
    for v in changed:
        if v["payment_id"] in stored:
            _, v["bank_line_id"], v["link"] = stored[v["payment_id"]]
    gone = [pid for pid in stored if complete and pid not in fresh]
    gone += [str(v["payment_id"]) for v in changed if v["payment_id"] in stored]
    parts = table_of(ErpPaymentAllocationRow)
    for start in range(0, len(gone), _CHUNK):
        chunk = gone[start : start + _CHUNK]
        for t in (table, parts):
            session.connection().execute(delete(t).where(t.c.erp == erp, t.c.payment_id.in_(chunk)))
    bulk_insert(session, table, changed)
    bulk_insert(
        session,
        parts,
        [
            {"erp": erp, "payment_id": v["payment_id"], "seq": n, **a}
            for v in changed
            for n, a in enumerate(_parts(fresh_payments[str(v["payment_id"])]))
        ],
    )
    return len(changed)


def _parts(p: PostedPayment) -> list[dict[str, Any]]:
    return [{"invoice_id": a.invoice_id, "amount": a.amount} for a in p.allocations]


def _payment(row: Any) -> PostedPayment:
    """A stored payment (an ORM row or a Core row with the same columns)."""
    return PostedPayment(
        payment_id=row.payment_id,
        customer_id=row.customer_id,
        paid_on=row.paid_on,
        allocations=tuple(
            PostedAllocation(invoice_id=a["invoice_id"], amount=Decimal(a["amount"]))
            for a in row.allocations
        ),
        reference=row.reference,
        memo=row.memo,
        recorded_by=row.recorded_by,
    )


_COLUMNS = (
    "payment_id",
    "customer_id",
    "paid_on",
    "allocations",
    "reference",
    "memo",
    "recorded_by",
)


def unlinked(session: Session, erp: str, *, between: tuple[date, date]) -> list[PostedPayment]:
    """Payments dated `between` and not linked to a bank line (Core rows: this runs every cycle)."""
    table = table_of(ErpPaymentRow)
    query = select(*(table.c[c] for c in _COLUMNS)).where(
        table.c.erp == erp, table.c.bank_line_id.is_(None), table.c.paid_on.between(*between)
    )
    return [_payment(row) for row in session.connection().execute(query)]


def any_unseen(session: Session, erp: str) -> bool:
    """Whether a payment is new or changed since the last linking pass and not linked."""
    table = table_of(ErpPaymentRow)
    query = select(table.c.payment_id).where(
        table.c.erp == erp, table.c.bank_line_id.is_(None), table.c.checked.is_(False)
    )
    return session.connection().execute(query.limit(1)).first() is not None


def mark_seen(session: Session, erp: str) -> None:
    """Every unlinked payment was considered by a linking pass (until it changes)."""
    table = table_of(ErpPaymentRow)
    session.connection().execute(
        update(table)
        .where(table.c.erp == erp, table.c.bank_line_id.is_(None), table.c.checked.is_(False))
        .values(checked=True)
    )


def link(session: Session, erp: str, links: Mapping[str, tuple[int, str]]) -> None:
    """Record each payment's bank line and how it was linked: payment id -> (line id, how).

    Payments settled on arbridge's own postings are checked already; the others are to be.
    """
    if not links:
        return
    table = table_of(ErpPaymentRow)
    statement = (
        update(table)
        .where(table.c.erp == erp, table.c.payment_id == bindparam("pid"))
        .values(bank_line_id=bindparam("line"), link=bindparam("how"), checked=bindparam("done"))
    )
    rows = [
        {"pid": pid, "line": line_id, "how": how, "done": how == SETTLED}
        for pid, (line_id, how) in links.items()
    ]
    session.connection().execute(statement, rows)


def unchecked_lines(session: Session, erp: str) -> list[int]:
    """Bank lines with a linked payment not checked since it was linked or changed."""
    query = select(ErpPaymentRow.bank_line_id).where(
        ErpPaymentRow.erp == erp,
        col(ErpPaymentRow.bank_line_id).is_not(None),
        col(ErpPaymentRow.checked).is_(False),
    )
    return sorted({i for i in session.exec(query) if i is not None})


def mark_checked(session: Session, erp: str, line_ids: Sequence[int]) -> None:
    """Every payment linked to these lines is checked as it stands now."""
    table = table_of(ErpPaymentRow)
    for start in range(0, len(line_ids), _CHUNK):
        session.connection().execute(
            update(table)
            .where(table.c.erp == erp, table.c.bank_line_id.in_(line_ids[start : start + _CHUNK]))
            .values(checked=True)
        )


def linked_payments(
    session: Session, erp: str, line_ids: Sequence[int]
) -> dict[int, list[PostedPayment]]:
    """The payments linked to each of these lines (settled ones left out)."""
    out: dict[int, list[PostedPayment]] = {}
    for start in range(0, len(line_ids), _CHUNK):
        query = select(ErpPaymentRow).where(
            ErpPaymentRow.erp == erp,
            col(ErpPaymentRow.bank_line_id).in_(line_ids[start : start + _CHUNK]),
            _counted(),
        )
        for row in session.exec(query):
            assert row.bank_line_id is not None
            out.setdefault(row.bank_line_id, []).append(_payment(row))
    for payments in out.values():
        payments.sort(key=lambda p: p.payment_id)
    return out


def decided_lines(session: Session) -> Iterable[tuple[int, str, str, str]]:
    """(id, account, bank id, status) of every line decided already (not pending)."""
    query = select(
        BankLineRow.id, BankLineRow.account, BankLineRow.bank_id, BankLineRow.status
    ).where(BankLineRow.status != "pending")
    return ((i, a, b, s) for i, a, b, s in session.exec(query) if i is not None)


def review_line_ids(session: Session) -> list[int]:
    """Lines waiting in the review queue (a person may have recorded them in the ERP since)."""
    query = select(BankLineRow.id).where(BankLineRow.status == "review")
    return [i for i in session.exec(query) if i is not None]


def recordings(
    session: Session, erp: str, invoice_ids: Sequence[str]
) -> list[tuple[str, str, Decimal]]:
    """(who, invoice id, amount) of every application the ERP holds for these invoices.

    Who is `ERP payment <id>` for recorded payments (not those that record arbridge's
    own postings) and `bank line <id>` for what arbridge posted or queued.
    """
    out: list[tuple[str, str, Decimal]] = []
    parts, heads = table_of(ErpPaymentAllocationRow), table_of(ErpPaymentRow)
    wanted = sorted(set(invoice_ids))
    for start in range(0, len(wanted), _CHUNK):
        query = (
            select(parts.c.payment_id, parts.c.invoice_id, parts.c.amount)
            .join(heads, (heads.c.erp == parts.c.erp) & (heads.c.payment_id == parts.c.payment_id))
            .where(
                parts.c.erp == erp,
                parts.c.invoice_id.in_(wanted[start : start + _CHUNK]),
                _counted(),
            )
        )
        out += [(f"ERP payment {p}", i, a) for p, i, a in session.connection().execute(query)]
    mine = set(wanted)
    apps = (
        select(ApplicationRow.allocations, ApplicationRow.reverses_id, BankLineRow.bank_id)
        .join(OutboxRow, col(OutboxRow.application_id) == col(ApplicationRow.id))
        .join(BankLineRow, col(BankLineRow.id) == col(ApplicationRow.bank_line_id))
        .where(ApplicationRow.erp == erp, OutboxRow.status != "rejected")
    )
    for allocations, reverses, bank_id in session.exec(apps):
        sign = -1 if reverses is not None else 1
        out += [
            (
                f"bank line {bank_id}",
                a["invoice_id"],
                sign * (Decimal(a["amount"]) + Decimal(a.get("adjustment") or "0")),
            )
            for a in allocations
            if a.get("invoice_id") in mine
        ]
    return out


def linked_payment_ids(session: Session, erp: str, line_id: int) -> list[str]:
    """Ids of the payments that still record this line (not arbridge's own, not reversed)."""
    table = table_of(ErpPaymentRow)
    query = select(table.c.payment_id).where(
        table.c.erp == erp, table.c.bank_line_id == line_id, _counted()
    )
    return sorted(str(r[0]) for r in session.connection().execute(query))


def mark_reversed(session: Session, erp: str, payment_ids: Sequence[str]) -> None:
    """These payments' reversal is queued: they no longer record their line, nor are checked."""
    table = table_of(ErpPaymentRow)
    session.connection().execute(
        update(table)
        .where(table.c.erp == erp, table.c.payment_id.in_(list(payment_ids)))
        .values(link=REVERSED + func.coalesce(table.c.link, ""), checked=True)
    )


def unmark_reversed(session: Session, erp: str, payment_ids: Sequence[str]) -> None:
    """The ERP refused to reverse these payments: they record their line again."""
    table = table_of(ErpPaymentRow)
    query = select(table.c.payment_id, table.c.link).where(
        table.c.erp == erp, table.c.payment_id.in_(list(payment_ids))
    )
    for pid, link in list(session.connection().execute(query)):
        if link and link.startswith(REVERSED):
            session.connection().execute(
                update(table)
                .where(table.c.erp == erp, table.c.payment_id == pid)
                .values(link=link[len(REVERSED) :])
            )


def seen_at(session: Session, erp: str, payment_ids: Sequence[str]) -> dict[str, datetime]:
    """When each payment (as it stands) was first read from the ERP."""
    table = table_of(ErpPaymentRow)
    query = select(table.c.payment_id, table.c.seen_at).where(
        table.c.erp == erp, table.c.payment_id.in_(list(payment_ids))
    )
    return {str(p): at for p, at in session.connection().execute(query)}


def on_account(session: Session, erp: str) -> list[tuple[PostedPayment, int | None]]:
    """Payments that leave money on the customer's account, with their bank line (if linked).

    arbridge's own postings and payments it reversed are left out.
    """
    heads, parts = table_of(ErpPaymentRow), table_of(ErpPaymentAllocationRow)
    credit = (
        select(parts.c.payment_id)
        .where(parts.c.erp == erp, parts.c.invoice_id.is_(None))
        .distinct()
        .subquery()
    )
    query = (
        select(*(heads.c[c] for c in (*_COLUMNS, "bank_line_id")))
        .join(credit, credit.c.payment_id == heads.c.payment_id)
        .where(heads.c.erp == erp, _counted())
        .order_by(heads.c.paid_on, heads.c.payment_id)
    )
    return [(_payment(row), row.bank_line_id) for row in session.connection().execute(query)]
