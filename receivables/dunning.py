"""Dunning: which invoices reached which stage, and which must not be dunned (and why)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from arbridge.receivables.aging import ZERO, OpenItem, days_old
from arbridge.receivables.worklist import CustomerFacts


@dataclass(frozen=True, slots=True)
class Stage:
    """A step of the dunning process, reached `days` after the due date (negative: before)."""

    name: str
    days: int
    action: str = "email"  # email | credit_hold


DEFAULT_STAGES = (
    Stage("reminder", -3),
    Stage("first_notice", 7),
    Stage("second_notice", 20),
    Stage("final_notice", 45),
    Stage("credit_hold", 60, "credit_hold"),
)


@dataclass(frozen=True, slots=True)
class DueLine:
    """An invoice in a notice."""

    invoice_id: str
    due_date: date
    days_past_due: int
    open_amount: Decimal


@dataclass(frozen=True, slots=True)
class Notice:
    """One customer, one stage: the invoices that reached it and were not dunned for it yet."""

    customer_id: str
    stage: Stage
    lines: tuple[DueLine, ...]

    @property
    def total(self) -> Decimal:
        """The money the notice asks for."""
        return sum((line.open_amount for line in self.lines), ZERO)


@dataclass(frozen=True, slots=True)
class DunningPlan:
    """What a dunning run would do: notices to send, and invoices held back with the reason."""

    notices: tuple[Notice, ...]
    held: tuple[tuple[str, str, str], ...] = field(default=())
    """(customer id, invoice id, why not dunned)."""


def stage_of(days: int, stages: Sequence[Stage]) -> Stage | None:
    """The last stage an invoice this many days past due has reached."""
    reached = [s for s in stages if days >= s.days]
    return max(reached, key=lambda s: s.days) if reached else None


def plan_dunning(
    items: Iterable[OpenItem],
    as_of: date,
    facts: Mapping[str, CustomerFacts],
    *,
    stages: Sequence[Stage] = DEFAULT_STAGES,
    done: set[tuple[str, str]] | frozenset[tuple[str, str]] = frozenset(),
) -> DunningPlan:
    """The notices due on `as_of`; `done` holds the (invoice id, stage name) already sent.

    Never dunned: an invoice in dispute, any invoice of a customer with an open promise or
    plan or who opted out, and invoices that the customer's cash in flight covers (set
    against its invoices oldest first; cash that does not cover an invoice whole is left
    for a later one it does cover: a notice never asks for money that has arrived).
    """
    by_customer: dict[str, list[OpenItem]] = {}
    for item in items:
        if item.open_amount > 0 and stage_of(days_old(item, as_of), stages) is not None:
            by_customer.setdefault(item.customer_id, []).append(item)
    notices: list[Notice] = []
    held: list[tuple[str, str, str]] = []
    for customer in sorted(by_customer):
        f = facts.get(customer, CustomerFacts())
        due = sorted(by_customer[customer], key=lambda i: (i.due_date, i.invoice_id))
        grouped: dict[str, list[DueLine]] = {}
        stage_by_name: dict[str, Stage] = {}
        flight = f.in_flight
        for item in due:
            why = _hold(item, f)
            if why is None and flight >= item.open_amount:
                why, flight = "covered by cash in flight", flight - item.open_amount
            if why is not None:
                held.append((customer, item.invoice_id, why))
                continue
            days = days_old(item, as_of)
            stage = stage_of(days, stages)
            assert stage is not None
            if (item.invoice_id, stage.name) in done:
                continue
            stage_by_name[stage.name] = stage
            line = DueLine(item.invoice_id, item.due_date, days, item.open_amount)
            grouped.setdefault(stage.name, []).append(line)
        notices += [
            Notice(customer, stage_by_name[name], tuple(lines)) for name, lines in grouped.items()
        ]
    return DunningPlan(tuple(notices), tuple(held))


def _hold(item: OpenItem, f: CustomerFacts) -> str | None:
    if item.invoice_id in f.disputed:
        return "in dispute"
    if f.opted_out:
        return "customer opted out"
    if f.promised:
        return "promise or plan open"
    return None
