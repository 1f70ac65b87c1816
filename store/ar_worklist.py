"""What the collections worklist is built from, and promises settled by the cash that came."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session

from arbridge.domain.money import format_money
from arbridge.receivables.aging import ZERO
from arbridge.receivables.promises import settle
from arbridge.receivables.worklist import CustomerFacts
from arbridge.store import ar_cash, ar_collections
from arbridge.store.ar_tables import ArPromiseRow

ARBRIDGE = "arbridge"
"""The actor of what arbridge records by itself."""


def settle_promises(session: Session, erp: str, as_of: date, now: datetime) -> list[ArPromiseRow]:
    """Mark open promises kept or broken by the cash that arrived; returns those that changed.

    Each change is noted on the customer's record, by `arbridge`.
    """
    rows = ar_collections.promises(session, erp, open_only=True)
    if not rows:
        return []
    since = min(r.made_on for r in rows)
    cash = ar_cash.receipts(session, erp, since)
    statuses = settle([ar_collections.as_promise(r) for r in rows], cash, as_of)
    changed = ar_collections.set_statuses(session, rows, statuses, now)
    for row in changed:
        what = f"instalment of plan {row.plan}" if row.plan else "promise"
        ar_collections.add_note(
            session,
            erp,
            row.customer_id,
            kind="promise",
            text=f"{what} #{row.id} of {format_money(row.amount)} due {row.due_on}: {row.status}",
            actor=ARBRIDGE,
            now=now,
        )
    return changed


def customer_facts(session: Session, erp: str, names: dict[str, str]) -> dict[str, CustomerFacts]:
    """Everything the worklist knows of each customer beyond its open items."""
    profiles = ar_collections.profiles(session, erp)
    flight = ar_cash.in_flight(session, erp)
    late = ar_cash.average_days_late(session, erp)
    promised: dict[str, Decimal] = {}
    for p in ar_collections.promises(session, erp, open_only=True):
        promised[p.customer_id] = promised.get(p.customer_id, ZERO) + p.amount
    disputed: dict[str, set[str]] = {}
    for d in ar_collections.disputes(session, erp):
        disputed.setdefault(d.customer_id, set()).add(d.invoice_id)
    ids = set(names) | set(profiles) | set(flight) | set(promised) | set(disputed)
    out = {}
    for cid in ids:
        profile = profiles.get(cid)
        out[cid] = CustomerFacts(
            name=names.get(cid, ""),
            in_flight=flight.get(cid, ZERO),
            promised=promised.get(cid, ZERO),
            disputed=frozenset(disputed.get(cid, ())),
            opted_out=bool(profile and profile.opted_out),
            average_days_late=late.get(cid),
            collector=profile.collector if profile else None,
            next_action_on=profile.next_action_on if profile else None,
        )
    return out
