"""Promises to pay and payment-plan instalments, kept or broken by the cash that arrives."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from arbridge.receivables.aging import ZERO


class PromiseStatus(StrEnum):
    """Where a promise stands."""

    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Promise:
    """A customer's word: `amount` by `due_on`, made on `made_on` (one plan instalment, or alone)."""

    promise_id: int
    customer_id: str
    made_on: date
    due_on: date
    amount: Decimal
    status: PromiseStatus = PromiseStatus.OPEN


@dataclass(frozen=True, slots=True)
class Receipt:
    """Cash from a customer, on the day the bank booked it."""

    customer_id: str
    booked_on: date
    amount: Decimal


def settle(
    promises: Sequence[Promise], receipts: Iterable[Receipt], as_of: date
) -> dict[int, PromiseStatus]:
    """The status of each open promise on `as_of`.

    A customer's receipts since the earliest open promise was made go to their open
    promises in order of due date: a promise is kept once what arrived by its due date
    covers it (and those due before it), broken when its due date has passed without
    that, and stays open until then. Cancelled, kept and broken promises do not change.
    """
    cash: dict[str, list[Receipt]] = {}
    for r in receipts:
        cash.setdefault(r.customer_id, []).append(r)
    out: dict[int, PromiseStatus] = {}
    by_customer: dict[str, list[Promise]] = {}
    for p in promises:
        if p.status is PromiseStatus.OPEN:
            by_customer.setdefault(p.customer_id, []).append(p)
        else:
            out[p.promise_id] = p.status
    for customer, open_ in by_customer.items():
        out.update(
            _settle_one(
                sorted(open_, key=lambda p: (p.due_on, p.promise_id)), cash.get(customer, []), as_of
            )
        )
    return out


def _settle_one(
    promises: list[Promise], receipts: list[Receipt], as_of: date
) -> dict[int, PromiseStatus]:
    since = min(p.made_on for p in promises)
    arrived = sorted(
        (r for r in receipts if since <= r.booked_on <= as_of), key=lambda r: r.booked_on
    )
    out: dict[int, PromiseStatus] = {}
    owed = ZERO
    for p in promises:
        owed += p.amount
        paid = sum((r.amount for r in arrived if r.booked_on <= p.due_on), ZERO)
        if paid >= owed:
            out[p.promise_id] = PromiseStatus.KEPT
        elif as_of > p.due_on:
            out[p.promise_id] = PromiseStatus.BROKEN
            owed -= p.amount  # a broken promise no longer claims the cash that came later
        else:
            out[p.promise_id] = PromiseStatus.OPEN
    return out
