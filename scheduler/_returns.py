"""Returned-payment step of the cycle: NSF and returned items claw their commission back.

Each new bank debit is looked at once (a cursor on the bank line id). One that returns an
applied payment (`arbridge.commissions.returns`) is recorded, so the commission report
claws that payment's commission back in the period of the debit, as negative rows that
point to the original application; and a `returned_payment` review item asks a person to
reverse the payment in the ERP and bill the customer again. A returned item that matches
no payment, or several, is a review item too, naming the candidates.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import structlog
from sqlmodel import Session

from arbridge.commissions.returns import WINDOW_DAYS, Paid, candidates, is_return, returned
from arbridge.domain.money import format_money
from arbridge.domain.records import BankLine
from arbridge.domain.review import ReviewReason
from arbridge.review import NewReviewItem, open_many
from arbridge.scheduler._summary import RunSummary
from arbridge.store import Store, cursors, returns

log = structlog.get_logger("arbridge.cycle")
STREAM = "returned_payments"


def settle_returns(
    store: Store, erp: str, *, summary: RunSummary, clock: Callable[[], datetime]
) -> None:
    """Look at the debits stored since the last cycle; record the payments they return."""
    with store.transaction() as session:
        after = int(cursors.load_cursor(session, erp, STREAM) or 0)
        now = clock()
        items = []
        for line_id, line in returns.debits_after(session, after):
            if is_return(line):
                items.append(_look(session, erp, line_id, line, now=now, summary=summary))
        opened = open_many(session, items, now=now)
        queued = sum(1 for i in opened if i is not None)
        if queued:
            summary.add("returns_queued", queued)
        last = returns.last_line_id(session)
        if last > after:
            cursors.save_cursor(session, erp, STREAM, str(last), now)


def _look(
    session: Session,
    erp: str,
    line_id: int,
    line: BankLine,
    *,
    now: datetime,
    summary: RunSummary,
) -> NewReviewItem:
    rows = returns.paid(
        session, erp, line.account, -line.amount, until=line.booked_on, days=WINDOW_DAYS
    )
    paid = [
        Paid(application_id=i, bank_id=b, booked_on=d, amount=a, description=t)
        for i, b, d, a, t in rows
    ]
    found = returned(line, paid)
    amount = format_money(-line.amount)
    if found is not None:
        returns.record(
            session,
            erp,
            line_id=line_id,
            application_id=found.application_id,
            booked_on=line.booked_on,
            now=now,
        )
        summary.add("payments_returned")
        log.info("payment_returned", bank_id=line.bank_id, returned=found.bank_id)
        message = (
            f"{line.bank_id} returned payment {found.bank_id} of {amount} "
            f"({found.booked_on}): its commission is clawed back on {line.booked_on}; "
            "reverse the payment in the ERP and bill the customer again"
        )
        ids = [found.bank_id]
    else:
        ids = [p.bank_id for p in candidates(line, paid)]
        which = f"one of {' '.join(ids)}" if ids else "no applied payment of that amount"
        message = f"{line.bank_id} returned {amount}: {which}; find the payment it returned"
    return NewReviewItem(
        dedupe_key=f"returned:{line.account}:{line.bank_id}",
        reason=ReviewReason.RETURNED_PAYMENT.value,
        message=message,
        bank_line_id=line_id,
        amount=-line.amount,
        suggestions=(
            {"invoice_ids": [], "bank_ids": ids, "explanation": message, "confidence": 0.0},
        ),
    )
