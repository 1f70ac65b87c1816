"""Repository of learned payer links: bank account or payer name -> ERP customer.

Links come from applications the engine made with certainty (`auto`), from
finance staff resolving review items (`review`), and from history (`proposed` by
`arbridge learn`, which take effect only once an admin approves them: `admin`); a
person's link is never overwritten by an automatic one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from arbridge.store.tables import ApplicationRow, PayerLinkRow

ACCOUNT = "account"
ALIAS = "alias"
PROPOSED = "proposed"
"""The origin of a link learned from history and not yet approved: matching ignores it."""


@dataclass(frozen=True, slots=True)
class PayerLinks:
    """What was learned for one ERP, as the matching engine takes it."""

    accounts: dict[str, str]
    aliases: dict[str, str]
    known_payers: frozenset[str]


def load_links(session: Session, erp: str) -> PayerLinks:
    """Every link of an ERP, and the customers arbridge has applied cash for before."""
    accounts: dict[str, str] = {}
    aliases: dict[str, str] = {}
    query = select(PayerLinkRow).where(PayerLinkRow.erp == erp, PayerLinkRow.origin != PROPOSED)
    for row in session.exec(query):
        (accounts if row.kind == ACCOUNT else aliases)[row.key] = row.customer_id
    paid = session.exec(
        select(ApplicationRow.customer_id).where(ApplicationRow.erp == erp).distinct()
    )
    return PayerLinks(accounts, aliases, frozenset(paid))


def learn(
    session: Session,
    erp: str,
    *,
    kind: str,
    key: str,
    customer_id: str,
    origin: str,
    now: datetime,
    taught_by: str | None = None,
) -> bool:
    """Remember a link; returns False when a person's link to another customer stands.

    `taught_by` names the person whose decision taught it (None for arbridge itself).
    """
    if kind not in {ACCOUNT, ALIAS}:
        raise ValueError(f"unknown payer link kind {kind!r}")
    key = " ".join(key.split())[:300]
    row = session.get(PayerLinkRow, (erp, kind, key))
    if row is None:
        row = PayerLinkRow(
            erp=erp,
            kind=kind,
            key=key,
            customer_id=customer_id,
            origin=origin,
            created_at=now,
            updated_at=now,
            taught_by=taught_by,
        )
    elif row.origin == "review" and origin != "review" and row.customer_id != customer_id:
        return False
    else:
        row.customer_id, row.origin, row.updated_at = customer_id, origin, now
        row.taught_by = taught_by
    session.add(row)
    return True


def propose(
    session: Session, erp: str, *, kind: str, key: str, customer_id: str, now: datetime
) -> bool:
    """Store a link learned from history for an admin to approve; False if one exists already."""
    key = " ".join(key.split())[:300]
    if session.get(PayerLinkRow, (erp, kind, key)) is not None:
        return False
    return learn(
        session, erp, kind=kind, key=key, customer_id=customer_id, origin=PROPOSED, now=now
    )


def proposals(session: Session, erp: str) -> list[PayerLinkRow]:
    """The links waiting for an admin, oldest first."""
    query = select(PayerLinkRow).where(PayerLinkRow.erp == erp, PayerLinkRow.origin == PROPOSED)
    return list(session.exec(query.order_by(col(PayerLinkRow.created_at), col(PayerLinkRow.key))))


def approve(
    session: Session, erp: str, *, kind: str, key: str, now: datetime, taught_by: str | None = None
) -> bool:
    """A proposal takes effect (origin `admin`); False when there is no such proposal."""
    row = session.get(PayerLinkRow, (erp, kind, " ".join(key.split())))
    if row is None or row.origin != PROPOSED:
        return False
    row.origin, row.updated_at, row.taught_by = "admin", now, taught_by
    session.add(row)
    return True


def find(session: Session, erp: str, *, kind: str, key: str) -> PayerLinkRow | None:
    """The link of this bank account or payer name, if any."""
    return session.get(PayerLinkRow, (erp, kind, " ".join(key.split())[:300]))


def forget(session: Session, erp: str, *, kind: str, key: str) -> None:
    """Drop a link (finance found it wrong)."""
    row = session.get(PayerLinkRow, (erp, kind, " ".join(key.split())))
    if row is not None:
        session.delete(row)


__all__ = [
    "ACCOUNT",
    "ALIAS",
    "PROPOSED",
    "PayerLinks",
    "approve",
    "find",
    "forget",
    "learn",
    "load_links",
    "proposals",
    "propose",
]
