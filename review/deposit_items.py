"""Review items for deposits and retainage a clerk must act on, opened once per status.

Paid deposit invoices whose final invoice is out (or several are, or none after the
allowed wait), and retainage whose completion invoice is out. Opened by the cycle's
deposit check every cycle, and by `arbridge deposits --queue`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from arbridge.deposits import HeldLine, held
from arbridge.deposits.final import report
from arbridge.domain.money import format_money
from arbridge.domain.review import ReviewReason
from arbridge.review.queue import open_many
from arbridge.store import Store, deposit_holds, register
from arbridge.store.reviews import NewReviewItem

ACTIONABLE = frozenset({"final_invoiced", "several_finals", "overdue", "release_billed"})
"""Statuses a clerk must act on: apply a deposit, choose a final invoice, chase, release."""


def held_on(store: Store, erp: str, as_of: date, wait_days: int) -> list[HeldLine]:
    """What is held on `as_of`; deposits waiting longer than `wait_days` are `overdue`.

    Paid deposit invoices and retainage come from the invoice register; cash held for an
    order's final invoice (no deposit invoice) from the open `deposit_received` items.
    """
    with store.transaction() as session:
        invoices = register.orders_and_retainage(session, erp)
        cash = deposit_holds.held(session)
    rows = held(invoices, as_of, wait_days) + report(cash, as_of, wait_days)
    rows.sort(key=lambda r: (r.customer_id, r.order_ref, r.kind, r.invoice_id, r.bank_id))
    return rows


def queue_actionable(store: Store, erp: str, rows: Sequence[HeldLine], now: datetime) -> int:
    """Open a `deposit_held` review item per row a clerk must act on, once per status.

    Cash held for a final invoice is a review item of its own already: not queued again.

    Returns:
        How many items were opened (rows already queued in that status are skipped).
    """
    items = [_item(erp, r) for r in rows if r.status in ACTIONABLE and not r.bank_id]
    with store.transaction() as session:
        opened = open_many(session, items, now=now)
    return sum(1 for i in opened if i is not None)


_TODO = {
    "final_invoiced": "final invoice {final} is out: apply the deposit to it",
    "several_finals": "several final invoices ({final}): choose the one the deposit goes to",
    "overdue": "no final invoice after {age} days: chase the order or refund the deposit",
    "release_billed": "completion invoice {final} is out: release the retainage",
}


def _item(erp: str, r: HeldLine) -> NewReviewItem:
    what = "retainage on" if r.kind == "retainage" else "deposit"
    todo = _TODO[r.status].format(final=r.final_invoice_id or "several", age=r.age_days)
    order = f" for order {r.order_ref}" if r.order_ref else ""
    message = f"{what} {r.invoice_id} ({format_money(r.held)} held){order}: {todo}"
    ids = [r.invoice_id, *r.final_invoice_id.split()]
    suggestion = {
        "invoice_ids": ids,
        "customer_id": r.customer_id,
        "explanation": todo,
        "confidence": 0.5,
    }
    return NewReviewItem(
        dedupe_key=f"deposit:{erp}:{r.invoice_id}:{r.status}:{r.final_invoice_id}",
        reason=ReviewReason.DEPOSIT_HELD.value,
        message=message,
        amount=r.held,
        customer_id=r.customer_id,
        suggestions=(suggestion,),
    )
