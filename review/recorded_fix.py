"""Correcting a payment a person recorded wrong in the ERP: reverse it and re-apply the bank line.

A `suspected_misapplication` item of a line set aside as `in_erp` names the ERP payments
that record the line. **Correct** reverses them (all, or the ones the clerk names) and
re-applies the line's cash: to the invoices the clerk picks, or, with none picked, as the
engine would (the item's suggestion, each invoice up to what it will have open once the
reversals are made, any rest on the customer's account). Everything goes through the
money door (`store.ledger_recorded`) in one transaction; the daemon posts the reversals
and then the re-application, in order, each once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from arbridge.domain.posted import PostedPayment
from arbridge.domain.records import ZERO, Allocation, Application, BankLine
from arbridge.domain.review import ReviewReason, ReviewStatus
from arbridge.review.queue import ReviewStateError, ledger_refusals
from arbridge.store import bank, erp_payments, ledger, ledger_recorded, reviews
from arbridge.store.tables import BankLineRow, InvoiceRow, ReviewItemRow

_ACTIVE = (ReviewStatus.OPEN.value, ReviewStatus.ASSIGNED.value)
_FIXED = (ReviewReason.SUSPECTED_MISAPPLICATION.value, ReviewReason.UNAPPLIED_CASH.value)


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedFix:
    """What Correct would do for an item: the ERP payments it reverses and the engine's application."""

    item_id: int
    payments: tuple[PostedPayment, ...]
    engine: tuple[tuple[str | None, Decimal], ...]
    """(invoice id or None for on account, amount): what the engine would apply; () if nothing."""
    engine_customer: str | None
    explanation: str


def find(session: Session, erp: str, item_id: int) -> RecordedFix | None:
    """The fix of an open suspected misapplication of a line a person recorded (else None)."""
    row = session.get(ReviewItemRow, item_id)
    if (
        row is None
        or row.reason not in _FIXED
        or row.status not in _ACTIVE
        or row.bank_line_id is None
        or not row.erp_payment_ids
    ):
        return None
    ((line_id, line),) = bank.load_lines(session, [row.bank_line_id])
    if session.get_one(BankLineRow, line_id).status != ledger_recorded.IN_ERP:
        return None
    linked = erp_payments.linked_payments(session, erp, [line_id]).get(line_id, [])
    payments = tuple(p for p in linked if p.payment_id in row.erp_payment_ids)
    if not payments:
        return None
    suggestion = row.suggestions[0] if row.suggestions else {}
    customer = suggestion.get("customer_id") or row.customer_id
    if row.reason == ReviewReason.UNAPPLIED_CASH.value:
        return RecordedFix(
            item_id=item_id,
            payments=payments,
            engine=_unapplied(line, payments, suggestion),
            engine_customer=customer,
            explanation=str(suggestion.get("explanation", "")),
        )
    engine = _engine(
        session,
        erp,
        line,
        invoice_ids=suggestion.get("invoice_ids", []),
        customer=customer,
        payments=payments,
    )
    return RecordedFix(
        item_id=item_id,
        payments=payments,
        engine=tuple(engine),
        engine_customer=customer,
        explanation=str(suggestion.get("explanation", "")),
    )


def correct_item(
    session: Session,
    erp: str,
    item_id: int,
    allocations: Sequence[tuple[str, Decimal]],
    *,
    reverse: Sequence[str] = (),
    actor: str,
    reason: str,
    now: datetime,
) -> list[str]:
    """Correct an item's recorded payments (or apply its cash on account); the keys queued.

    With no allocations the line is re-applied as the engine would (the item's
    suggestion); `reverse` names the payments to reverse (default: all the item's). Only
    naming some, with no allocations, reverses those and keeps the rest (a payment
    recorded twice).

    Raises:
        ReviewStateError: not such an item, no reason, or a refusal of the money door.
    """
    if not reason.strip():
        raise ReviewStateError("say why the recording was wrong (a reason)")
    fix = find(session, erp, item_id)
    if fix is None:
        raise ReviewStateError(
            f"review item {item_id} is not an open suspected misapplication (or cash on "
            "account) of a payment recorded in the ERP"
        )
    return correct(
        session, erp, fix, allocations, reverse=reverse, actor=actor, reason=reason, now=now
    )


def correct(
    session: Session,
    erp: str,
    fix: RecordedFix,
    allocations: Sequence[tuple[str, Decimal]],
    *,
    reverse: Sequence[str] = (),
    actor: str,
    reason: str,
    now: datetime,
) -> list[str]:
    """Queue the reversal of the payments and the re-application; close the item. Returns the keys.

    Raises:
        ReviewStateError: a refusal of the money door, or nothing to re-apply.
    """
    row = session.get_one(ReviewItemRow, fix.item_id)
    assert row.bank_line_id is not None
    ((line_id, line),) = bank.load_lines(session, [row.bank_line_id])
    undo = [p for p in fix.payments if not reverse or p.payment_id in reverse]
    unknown = set(reverse) - {p.payment_id for p in fix.payments}
    if unknown:
        raise ReviewStateError(
            f"ERP payment {', '.join(sorted(unknown))} is not one of this item's"
        )
    keeps = len(undo) < len(fix.payments)
    chosen: list[tuple[str | None, Decimal]] = list(allocations) or (
        [] if keeps else list(fix.engine)
    )
    if not chosen and not keeps:
        raise ReviewStateError(
            "the engine has no application for this payment; choose the invoices to apply it to"
        )
    reapply = (
        _application(session, erp, row, line, chosen=chosen, customer=fix.engine_customer)
        if chosen
        else None
    )
    why = f"correction by {actor}: {reason.strip()}"
    with ledger_refusals():
        keys = ledger_recorded.admit_recorded_correction(
            session, erp, line_id, [p.payment_id for p in undo], reapply, now=now, why=why
        )
    _close(session, row, actor=actor, now=now, undo=undo, chosen=chosen, reason=reason)
    return keys


def describe(payment: PostedPayment) -> str:
    """`P-3 (C004, 777.77 on 2026-11-03: INV-2006 777.77)`."""
    parts = ", ".join(f"{a.invoice_id or 'on account'} {a.amount}" for a in payment.allocations)
    return (
        f"{payment.payment_id} ({payment.customer_id}, {payment.amount} on "
        f"{payment.paid_on.isoformat()}: {parts})"
    )


def _engine(
    session: Session,
    erp: str,
    line: BankLine,
    *,
    invoice_ids: Sequence[str],
    customer: str | None,
    payments: Sequence[PostedPayment],
) -> list[tuple[str | None, Decimal]]:
    """The suggestion's invoices, each up to what it will have open, the rest on account."""
    if not invoice_ids:
        return []
    credit: dict[str, Decimal] = {}
    for p in payments:
        for a in p.allocations:
            if a.invoice_id:
                credit[a.invoice_id] = credit.get(a.invoice_id, ZERO) + a.amount
    left, out = line.amount, list[tuple[str | None, Decimal]]()
    for invoice in invoice_ids:
        try:
            open_ = ledger.open_left(session, erp, invoice) + credit.get(invoice, ZERO)
        except ledger.LedgerRefusedError:
            return []
        take = min(left, max(open_, ZERO))
        if take > 0:
            out.append((invoice, take))
            left -= take
    if left > 0 and customer:
        out.append((None, left))
    return out if left == 0 or customer else []


def _unapplied(
    line: BankLine, payments: Sequence[PostedPayment], suggestion: dict[str, Any]
) -> tuple[tuple[str | None, Decimal], ...]:
    """The payment as recorded, with the suggested part of its money on account applied."""
    if len(payments) != 1 or payments[0].amount != line.amount:
        return ()
    [payment] = payments
    kept = [(a.invoice_id, a.amount) for a in payment.allocations if a.invoice_id]
    added = [
        (str(a["invoice_id"]), Decimal(a["amount"])) for a in suggestion.get("allocations", [])
    ]
    rest = line.amount - sum((a for _, a in (*kept, *added)), ZERO)
    if rest < 0:
        return ()
    merged: dict[str | None, Decimal] = {}
    for invoice, amount in (*kept, *added, (None, rest)):
        if amount:
            merged[invoice] = merged.get(invoice, ZERO) + amount
    return tuple(merged.items())


def _application(
    session: Session,
    erp: str,
    row: ReviewItemRow,
    line: BankLine,
    *,
    chosen: Sequence[tuple[str | None, Decimal]],
    customer: str | None,
) -> Application:
    named = [i for i, _ in chosen if i]
    query = select(InvoiceRow.invoice_id, InvoiceRow.customer_id).where(
        InvoiceRow.erp == erp, col(InvoiceRow.invoice_id).in_(named)
    )
    owners = dict(session.exec(query).all())
    unknown = [i for i in named if i not in owners]
    if unknown:
        raise ReviewStateError(f"unknown invoice(s): {', '.join(unknown)}")
    total = sum((a for _, a in chosen), ZERO)
    if total != line.amount:
        raise ReviewStateError(f"the amounts add up to {total}, the payment is {line.amount}")
    payer = customer or (owners[named[0]] if named else None)
    if payer is None:
        raise ReviewStateError("say whose account the payment goes on")
    if named and payer not in owners.values():
        payer = owners[named[0]]
    n = sum(1 for e in reviews.events(session, row.id or 0) if e.action == "correct")
    return Application(
        idempotency_key=f"{erp}:{line.account}:{line.bank_id}:recorded-fix{row.id}.{n}",
        bank_account=line.account,
        bank_id=line.bank_id,
        customer_id=payer,
        booked_on=line.booked_on,
        amount=line.amount,
        allocations=tuple(
            Allocation(invoice_id=i, customer_id=owners[i] if i else payer, amount=a)
            for i, a in chosen
        ),
        evidence=f"review item {row.id}: correction of a payment recorded in the ERP",
    )


def _close(
    session: Session,
    row: ReviewItemRow,
    *,
    actor: str,
    now: datetime,
    undo: Sequence[PostedPayment],
    chosen: Sequence[tuple[str | None, Decimal]],
    reason: str,
) -> None:
    assert row.id is not None
    before = {"status": row.status, "assignee": row.assignee}
    row.status, row.updated_at = ReviewStatus.RESOLVED.value, now
    session.add(row)
    applied = ", ".join(f"{i or 'on account'} {a}" for i, a in chosen) or "nothing (kept the rest)"
    reversed_ = "; ".join(describe(p) for p in undo)
    reviews.add_event(
        session,
        row.id,
        actor=actor,
        action="correct",
        now=now,
        before=before,
        after={"status": row.status, "assignee": row.assignee},
        comment=f"corrected: reverse ERP payment {reversed_}, re-apply {applied} ({reason.strip()})",
    )
