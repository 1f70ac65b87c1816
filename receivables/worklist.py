"""The collections worklist: who to chase first, and who not to chase at all.

One row per customer with money past due. Cash that has arrived but is not in the
ERP's figures yet (a bank line in review that is the customer's, an application still
in the outbox) is set against the past-due money first: a customer whose money has
arrived is held, never chased. So are customers with an open promise or plan, with
every past-due invoice in dispute, or who opted out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from arbridge.domain.money import CENT
from arbridge.receivables.aging import ZERO, OpenItem, days_old

LATE_WEIGHT_DAYS = Decimal(30)
"""Each month a customer has paid late on average adds 1 to its priority weight."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerFacts:
    """What arbridge knows of a customer beyond its open items."""

    name: str = ""
    in_flight: Decimal = ZERO
    """Cash arrived but not in the ERP's figures yet."""
    promised: Decimal = ZERO
    """Open promises and plan instalments."""
    disputed: frozenset[str] = frozenset()
    """Invoice ids in dispute."""
    opted_out: bool = False
    average_days_late: Decimal | None = None
    """How late this customer has paid before (None: no history)."""
    collector: str | None = None
    next_action_on: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkItem:
    """One customer to chase (or held back, with why)."""

    customer_id: str
    name: str
    past_due: Decimal
    oldest_days: int
    in_flight: Decimal
    promised: Decimal
    disputed: Decimal
    to_chase: Decimal
    weight: Decimal
    priority: Decimal
    holds: tuple[str, ...] = field(default=())
    collector: str | None = None
    next_action_on: date | None = None

    @property
    def held(self) -> bool:
        """Not to be chased now."""
        return bool(self.holds)


def weight_of(average_days_late: Decimal | None) -> Decimal:
    """1 for a customer who pays on time (or is new), more for one who has paid late."""
    if average_days_late is None or average_days_late <= 0:
        return Decimal(1)
    return (1 + average_days_late / LATE_WEIGHT_DAYS).quantize(Decimal("0.01"))


class Owed(NamedTuple):
    """A customer's money past due: the sum, the oldest item's days, the part in dispute."""

    past_due: Decimal
    oldest_days: int
    disputed: Decimal


def owed_by_customer(
    items: Iterable[OpenItem], as_of: date, disputed: Mapping[str, frozenset[str]]
) -> dict[str, Owed]:
    """What each customer owes past due on `as_of` (items with money open only)."""
    past: dict[str, list[OpenItem]] = {}
    for item in items:
        if item.open_amount > 0 and days_old(item, as_of) > 0:
            past.setdefault(item.customer_id, []).append(item)
    out = {}
    for cid, owed in past.items():
        ids = disputed.get(cid, frozenset())
        out[cid] = Owed(
            past_due=sum((i.open_amount for i in owed), ZERO),
            oldest_days=max(days_old(i, as_of) for i in owed),
            disputed=sum((i.open_amount for i in owed if i.invoice_id in ids), ZERO),
        )
    return out


def build_worklist(
    items: Iterable[OpenItem], as_of: date, facts: Mapping[str, CustomerFacts]
) -> list[WorkItem]:
    """Rows for customers with money past due on `as_of`, highest priority first, held ones last."""
    disputed = {cid: f.disputed for cid, f in facts.items() if f.disputed}
    return worklist_of(owed_by_customer(items, as_of, disputed), facts)


def worklist_of(owed: Mapping[str, Owed], facts: Mapping[str, CustomerFacts]) -> list[WorkItem]:
    """The worklist of what each customer owes past due (`owed_by_customer`)."""
    rows = [_row(cid, o, facts.get(cid, CustomerFacts())) for cid, o in owed.items()]
    return sorted(rows, key=lambda r: (r.held, -r.priority, r.customer_id))


def _cents(value: Decimal) -> Decimal:
    """`as_money` for a Decimal, without its checks: this runs six times a customer."""
    return value.quantize(CENT, ROUND_HALF_UP)


def _row(customer_id: str, owed: Owed, f: CustomerFacts) -> WorkItem:
    past_due, disputed, oldest = owed.past_due, owed.disputed, owed.oldest_days
    undisputed = past_due - disputed
    to_chase = max(undisputed - f.in_flight - f.promised, ZERO)
    weight = weight_of(f.average_days_late)
    holds = []
    if f.in_flight and f.in_flight >= undisputed:
        holds.append("cash in flight")
    if f.promised:
        holds.append("promise open")
    if undisputed <= 0:
        holds.append("in dispute")
    if f.opted_out:
        holds.append("opted out")
    return WorkItem(
        customer_id=customer_id,
        name=f.name,
        past_due=_cents(past_due),
        oldest_days=oldest,
        in_flight=_cents(f.in_flight),
        promised=_cents(f.promised),
        disputed=_cents(disputed),
        to_chase=_cents(to_chase),
        weight=weight,
        priority=_cents(to_chase * oldest * weight),
        holds=tuple(holds),
        collector=f.collector,
        next_action_on=f.next_action_on,
    )
