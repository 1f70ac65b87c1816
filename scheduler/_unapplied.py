"""Cash people left on account in the ERP that plainly pays open invoices: suggested for application.

Runs inside the decide transaction after the recorded payments are linked and checked,
when the ERP's payments changed. Each suggestion is an `unapplied_cash` item naming the
ERP payment; a payment whose bank line already has an open item is left to that item. A
dismissed suggestion comes back only when the payment changes (the dedupe key holds its
fingerprint). Suggestions below `misapplied.min_confidence` are counted, not queued.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from sqlmodel import Session, col, select

from arbridge.domain.money import format_money
from arbridge.domain.review import ReviewReason, ReviewStatus
from arbridge.matching.context import Books
from arbridge.matching.erp_unapplied import UnappliedCash, suggest
from arbridge.review import NewReviewItem
from arbridge.scheduler._summary import RunSummary
from arbridge.store import erp_payments
from arbridge.store.tables import ReviewItemRow

_ACTIVE = (ReviewStatus.OPEN.value, ReviewStatus.ASSIGNED.value)
UNSEEN_BANK = (
    "; arbridge did not see this money arrive at the bank, so it cannot apply it: apply it in "
    "the ERP, then dismiss this item"
)


def unapplied_items(
    session: Session,
    erp_name: str,
    books: Callable[[], Books],
    summary: RunSummary,
    *,
    min_confidence: float,
    skip_lines: set[int],
) -> list[NewReviewItem]:
    """The `unapplied_cash` items of payments whose money on account plainly pays open invoices.

    Payments of lines in `skip_lines` (queued in this pass) or with an open item are skipped.
    """
    found = erp_payments.on_account(session, erp_name)
    if not found:
        return []
    lines = {line for _, line in found if line is not None}
    busy = _lines_in_review(session, lines) | skip_lines
    payments = [p for p, line in found if line is None or line not in busy]
    where = {p.payment_id: line for p, line in found}
    suggestions = suggest(payments, books())
    sure = [s for s in suggestions if s.confidence >= min_confidence]
    if len(sure) < len(suggestions):
        summary.add("unapplied_below_confidence", len(suggestions) - len(sure))
    summary.add("unapplied_suggested", len(sure))
    return [_item(erp_name, s, where[s.payment.payment_id]) for s in sure]


def _lines_in_review(session: Session, line_ids: set[int]) -> set[int]:
    if not line_ids:
        return set()
    query = select(ReviewItemRow.bank_line_id).where(
        col(ReviewItemRow.bank_line_id).in_(sorted(line_ids)),
        col(ReviewItemRow.status).in_(_ACTIVE),
    )
    return {i for i in session.exec(query) if i is not None}


def _item(erp_name: str, found: UnappliedCash, line_id: int | None) -> NewReviewItem:
    payment = found.payment
    stamp = hashlib.sha256(repr(payment).encode()).hexdigest()[:16]
    message = f"cash left on account: {found.explanation}"
    if line_id is None:
        message += UNSEEN_BANK
    return NewReviewItem(
        dedupe_key=f"unapplied:{erp_name}:{payment.payment_id}:{stamp}"[:300],
        reason=ReviewReason.UNAPPLIED_CASH.value,
        message=message,
        bank_line_id=line_id,
        amount=found.on_account,
        customer_id=payment.customer_id,
        suggestions=(
            {
                "invoice_ids": [i for i, _ in found.allocations],
                "customer_id": payment.customer_id,
                "explanation": found.explanation,
                "confidence": found.confidence,
                "allocations": [
                    {"invoice_id": i, "amount": format_money(a)} for i, a in found.allocations
                ],
            },
        ),
        erp_payment_ids=(payment.payment_id,),
    )
