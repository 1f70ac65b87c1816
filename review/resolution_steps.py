"""The steps every resolution shares, each inside the caller's transaction.

Find the open item and its bank line, check what a clerk typed, build the application,
queue it through the money door, close the item, and learn the payer for next time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, col, select

from arbridge.domain.records import Allocation, Application, BankLine
from arbridge.domain.review import ReviewStatus
from arbridge.review.queue import ReviewStateError, ledger_refusals
from arbridge.store import bank, ledger, payer_links, reviews
from arbridge.store.postings import NewApplication
from arbridge.store.tables import InvoiceRow, ReviewItemRow

_ACTIVE = {ReviewStatus.OPEN.value, ReviewStatus.ASSIGNED.value}


def check_amounts(allocations: Sequence[tuple[str, Decimal]]) -> None:
    """I4 on what a clerk typed, before anything is looked up."""
    if not allocations:
        raise ReviewStateError("give each chosen invoice an amount above zero")
    with ledger_refusals():
        for invoice, amount in allocations:
            ledger.check_amount(amount, f"amount for {invoice}")


def open_item_line(session: Session, item_id: int) -> tuple[ReviewItemRow, int, BankLine]:
    """The open item, its bank line's id and the line.

    Raises:
        ReviewStateError: no such item, it is closed, or it has no bank line.
    """
    row = session.get(ReviewItemRow, item_id)
    if row is None:
        raise ReviewStateError(f"review item {item_id} does not exist")
    if row.status not in _ACTIVE:
        raise ReviewStateError(f"review item {item_id} is {row.status}; reopen it first")
    if row.bank_line_id is None:
        raise ReviewStateError(f"review item {item_id} has no bank line to apply")
    ((line_id, line),) = bank.load_lines(session, [row.bank_line_id])
    return row, line_id, line


def resolution_key(session: Session, erp: str, row: ReviewItemRow, line: BankLine) -> str:
    """The idempotency key of this resolution; a re-resolved (reopened) item gets a new one."""
    assert row.id is not None
    earlier = sum(1 for e in reviews.events(session, row.id) if e.action == "resolve")
    return f"{erp}:{line.account}:{line.bank_id}:review{row.id}.{earlier}"


def owners(session: Session, erp: str, invoice_ids: Sequence[str]) -> dict[str, str]:
    """The customer of each invoice.

    Raises:
        ReviewStateError: naming the invoices the ERP snapshot does not hold.
    """
    query = select(InvoiceRow.invoice_id, InvoiceRow.customer_id).where(
        InvoiceRow.erp == erp, col(InvoiceRow.invoice_id).in_(invoice_ids)
    )
    found = dict(session.exec(query).all())
    unknown = [i for i in invoice_ids if i not in found]
    if unknown:
        raise ReviewStateError(f"unknown invoice(s): {', '.join(unknown)}")
    return found


def application(
    row: ReviewItemRow,
    line: BankLine,
    allocations: Sequence[tuple[str, Decimal]],
    invoice_owners: dict[str, str],
    key: str,
) -> Application:
    """The line's cash applied to these invoices; the amounts must add up to the payment."""
    check_amounts(allocations)
    total = sum((amount for _, amount in allocations), Decimal(0))
    if total != line.amount:
        raise ReviewStateError(f"the amounts add up to {total}, the payment is {line.amount}")
    customers = {invoice_owners[i] for i, _ in allocations}
    customer = row.customer_id if row.customer_id in customers else sorted(customers)[0]
    return Application(
        idempotency_key=key,
        bank_account=line.account,
        bank_id=line.bank_id,
        customer_id=customer,
        booked_on=line.booked_on,
        amount=line.amount,
        allocations=tuple(
            Allocation(invoice_id=i, customer_id=invoice_owners[i], amount=a)
            for i, a in allocations
        ),
        evidence=f"review item {row.id}",
    )


def queue(
    session: Session, erp: str, line_id: int, applied: Application, *, why: str, now: datetime
) -> None:
    """Admit the application through the money door (the outbox posts it)."""
    item = NewApplication(
        bank_line_id=line_id,
        application=applied,
        confidence=1.0,
        explanation=why,
        origin="review",
    )
    with ledger_refusals():
        ledger.admit(session, erp, [item], run_id=None, now=now)


def close(session: Session, row: ReviewItemRow, actor: str, now: datetime, what: str) -> None:
    """Resolve the item, with an event saying what was done."""
    assert row.id is not None
    before = {"status": row.status, "assignee": row.assignee}
    row.status, row.updated_at = ReviewStatus.RESOLVED.value, now
    session.add(row)
    reviews.add_event(
        session,
        row.id,
        actor=actor,
        action="resolve",
        now=now,
        before=before,
        after={"status": row.status, "assignee": row.assignee},
        comment=what,
    )


def learn(
    session: Session, erp: str, line: BankLine, customer_id: str, *, now: datetime, actor: str
) -> None:
    """Link the payer's bank account (else the name on the line) to the customer."""
    if line.payer_account:
        key, kind = line.payer_account, payer_links.ACCOUNT
    elif line.payer_name:
        key, kind = line.payer_name, payer_links.ALIAS
    else:
        return
    payer_links.learn(
        session,
        erp,
        kind=kind,
        key=key,
        customer_id=customer_id,
        origin="review",
        now=now,
        taught_by=actor,
    )
