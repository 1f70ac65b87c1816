"""When a held deposit's order gets its final invoice: apply it, or ask a person. Pure.

A deposit held for an order (`arbridge.deposits.recognise`) goes to the order's final
invoice on its own only when it is the one deposit held for that order and there is one
open final invoice of the same customer and order that takes all of it; any other case is
a suggestion for a person, with the reason in plain words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from arbridge.deposits.held import DEPOSIT_KINDS, FINAL_KINDS, HeldLine, kind_of
from arbridge.domain.deposits import HeldCash
from arbridge.domain.money import format_money
from arbridge.domain.records import Invoice

NOT_FINAL = DEPOSIT_KINDS | {"progress"}


@dataclass(frozen=True, slots=True, kw_only=True)
class FinalStep:
    """What to do with a held deposit now: apply it to `invoice_id`, or ask (`why`)."""

    item_id: int
    invoice_id: str | None
    candidates: tuple[str, ...]
    why: str


def is_final(invoice: Invoice, held: HeldCash) -> bool:
    """Whether `invoice` is a final invoice for the deposit.

    Marked final (or completion); or, where the ERP marks no kind, an ordinary invoice of
    the order dated on or after the deposit arrived (one billed before it, such as a
    prepayment invoice, is not the final one).
    """
    kind = kind_of(invoice.kind)
    if kind in FINAL_KINDS:
        return True
    return kind not in NOT_FINAL and invoice.invoice_date >= held.booked_on


def finals_for(
    held: Sequence[HeldCash], invoices: Iterable[Invoice]
) -> dict[tuple[str, str], list[Invoice]]:
    """The open final invoices of each (customer, order) a deposit is held for."""
    first = {}
    for h in sorted(held, key=lambda h: h.booked_on, reverse=True):
        first[h.customer_id, h.order_ref] = h  # the earliest deposit of the order
    found: dict[tuple[str, str], list[Invoice]] = {}
    for inv in invoices:
        key = (inv.customer_id, inv.order_ref or "")
        deposit = first.get(key)
        if deposit is not None and inv.is_open and is_final(inv, deposit):
            found.setdefault(key, []).append(inv)
    return found


def steps(held: Sequence[HeldCash], invoices: Iterable[Invoice]) -> list[FinalStep]:
    """One step per held deposit whose order has a final invoice; none while there is none."""
    finals = finals_for(held, invoices)
    per_order: dict[tuple[str, str], list[HeldCash]] = {}
    for h in held:
        per_order.setdefault((h.customer_id, h.order_ref), []).append(h)
    out: list[FinalStep] = []
    for key, deposits in sorted(per_order.items()):
        found = sorted(finals.get(key, []), key=lambda i: i.invoice_id)
        if found:
            out += [_step(h, deposits, found) for h in deposits]
    return out


def _step(h: HeldCash, deposits: Sequence[HeldCash], found: Sequence[Invoice]) -> FinalStep:
    ids = tuple(i.invoice_id for i in found)
    order = h.order_ref
    if len(deposits) > 1:
        why = f"{len(deposits)} deposits are held for order {order}: say which goes to {' '.join(ids)}"
    elif len(found) > 1:
        why = f"order {order} has {len(found)} final invoices ({' '.join(ids)}): choose one"
    elif found[0].open_amount < h.amount:
        why = (
            f"the deposit {format_money(h.amount)} is more than the "
            f"{format_money(found[0].open_amount)} open on {ids[0]}: apply part, the rest on account"
        )
    else:
        why = f"final invoice {ids[0]} of order {order} takes the deposit"
        return FinalStep(item_id=h.item_id, invoice_id=ids[0], candidates=ids, why=why)
    return FinalStep(item_id=h.item_id, invoice_id=None, candidates=ids, why=why)


def report(held: Iterable[HeldCash], as_of: date, wait_days: int) -> list[HeldLine]:
    """The held cash as rows of the `arbridge deposits` report (booked up to `as_of`)."""
    rows = []
    for h in held:
        if h.booked_on > as_of:
            continue
        age = (as_of - h.booked_on).days
        status = "to_choose" if h.candidates else ("overdue" if age > wait_days else "waiting")
        rows.append(
            HeldLine(
                customer_id=h.customer_id,
                order_ref=h.order_ref,
                kind="deposit",
                invoice_id="",
                invoice_date=h.booked_on,
                amount=h.amount,
                held=h.amount,
                age_days=age,
                final_invoice_id=" ".join(h.candidates),
                status=status,
                bank_id=h.bank_id,
            )
        )
    return rows
