"""What is held per customer and order: paid deposits and retainage.

Paid deposits wait for their final invoice; retainage a customer kept back on progress bills
waits for the completion invoice. Works on the invoice register as the ERP last showed it (amounts and open amounts), so a
deposit paid outside arbridge counts as well.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from arbridge.domain.commissions import InvoiceTerms
from arbridge.domain.money import as_money, format_money

DEPOSIT_KINDS = frozenset({"deposit", "down_payment", "downpayment", "prepayment", "retainer"})
FINAL_KINDS = frozenset({"final", "completion"})
COLUMNS = (
    "customer_id",
    "order_ref",
    "kind",
    "invoice_id",
    "invoice_date",
    "amount",
    "held",
    "age_days",
    "final_invoice_id",
    "status",
    "bank_transaction_id",
)
_ZERO = Decimal("0.00")


def kind_of(text: str | None) -> str:
    """An invoice kind written any way (`Down Payment`, `down-payment`) as one code."""
    return (text or "").strip().lower().replace("-", "_").replace(" ", "_")


def is_deposit(kind: str | None) -> bool:
    """Whether an invoice kind is a deposit, down payment, prepayment or retainer."""
    return kind_of(kind) in DEPOSIT_KINDS


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldLine:
    """Money held for an order: a paid deposit, or retainage kept back on a progress bill.

    `status`: deposits are `waiting` (no final invoice yet), `overdue` (waiting longer than
    allowed), `final_invoiced` (exactly one final invoice: apply the deposit to it) or
    `several_finals` (a person must choose); retainage is `held`, or `release_billed` once
    a completion invoice exists. Cash held for an order with no deposit invoice (`bank_id`
    set, `invoice_id` empty) is `waiting`, `overdue` or `to_choose` (its item asks a person).
    """

    customer_id: str
    order_ref: str
    kind: str  # deposit | retainage
    invoice_id: str
    invoice_date: date
    amount: Decimal
    held: Decimal
    age_days: int
    final_invoice_id: str
    status: str
    bank_id: str = ""
    """Cash held for the order's final invoice (no invoice): the bank line's own id."""


def held(invoices: Iterable[InvoiceTerms], as_of: date, wait_days: int) -> list[HeldLine]:
    """Deposits and retainage held on `as_of`, by customer, order and invoice."""
    known = [i for i in invoices if i.invoice_date is None or i.invoice_date <= as_of]
    finals: dict[tuple[str, str], list[str]] = {}
    for inv in known:
        if inv.order_ref and kind_of(inv.kind) in FINAL_KINDS:
            finals.setdefault((inv.customer_id, inv.order_ref), []).append(inv.invoice_id)
    rows: list[HeldLine] = []
    for inv in known:
        found = sorted(finals.get((inv.customer_id, inv.order_ref or ""), []))
        line = _deposit(inv, found, as_of, wait_days) if is_deposit(inv.kind) else None
        line = line or _retainage(inv, found, as_of)
        if line is not None:
            rows.append(line)
    rows.sort(key=lambda r: (r.customer_id, r.order_ref, r.kind, r.invoice_id))
    return rows


def _deposit(
    inv: InvoiceTerms, finals: Sequence[str], as_of: date, wait_days: int
) -> HeldLine | None:
    received = inv.amount - (inv.open_amount if inv.open_amount is not None else inv.amount)
    if received <= 0:
        return None
    age = _age(inv, as_of)
    if len(finals) == 1:
        status = "final_invoiced"
    elif finals:
        status = "several_finals"
    else:
        status = "overdue" if age > wait_days else "waiting"
    final = finals[0] if len(finals) == 1 else ""
    return _line(inv, "deposit", received, age=age, final=final, status=status)


def _retainage(inv: InvoiceTerms, finals: Sequence[str], as_of: date) -> HeldLine | None:
    if not inv.retainage_pct or inv.open_amount is None:
        return None
    retained = as_money(inv.amount * inv.retainage_pct / 100)
    if not _ZERO < inv.open_amount <= retained:
        return None  # nothing left, or more than the retainage still owed on the bill
    status = "release_billed" if finals else "held"
    final = " ".join(finals)
    return _line(
        inv, "retainage", inv.open_amount, age=_age(inv, as_of), final=final, status=status
    )


def _age(inv: InvoiceTerms, as_of: date) -> int:
    return (as_of - inv.invoice_date).days if inv.invoice_date is not None else 0


def _line(
    inv: InvoiceTerms, kind: str, amount: Decimal, *, age: int, final: str, status: str
) -> HeldLine:
    return HeldLine(
        customer_id=inv.customer_id,
        order_ref=inv.order_ref or "",
        kind=kind,
        invoice_id=inv.invoice_id,
        invoice_date=inv.invoice_date or date.min,
        amount=inv.amount,
        held=amount,
        age_days=age,
        final_invoice_id=final,
        status=status,
    )


def held_csv(rows: Iterable[HeldLine]) -> str:
    """The report as CSV under `COLUMNS`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow(
            [
                r.customer_id,
                r.order_ref,
                r.kind,
                r.invoice_id,
                r.invoice_date.isoformat(),
                format_money(r.amount),
                format_money(r.held),
                r.age_days,
                r.final_invoice_id,
                r.status,
                r.bank_id,
            ]
        )
    return buffer.getvalue()
