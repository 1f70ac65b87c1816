"""Decide's locks among daemons sharing a PostgreSQL store: partitions and the shared remainder.

A partition is a number (see `arbridge.scheduler.partitions`); deciding lines of a
partition holds its lock and the remainder lock in *shared* mode, so daemons decide
different partitions at once. The remainder (lines whose invoices may span customers),
the payouts and a daemon that is not sharing hold the remainder lock *exclusively*, the
lock the whole of decide used to hold (`serialize(session, "decide")`): while one of
them decides, no partition is decided, and the other way round.

All locks are transaction-level advisory locks: released at commit or rollback, and by
the server the moment a daemon dies (kill -9). Only `try` forms are used here, so a
daemon never waits: it skips what another daemon holds this round. On SQLite (one
process per store) every lock is granted.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, INTEGER
from sqlmodel import Session

REMAINDER = "decide"
"""The section of the remainder lock: the very key `serialize(session, "decide")` takes."""

PARTITION_SPACE = "decide-partition"
"""The first half of a partition lock's two-part key (the partition number is the second)."""


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def try_remainder(session: Session) -> bool:
    """Take the remainder lock exclusively for this transaction, if no one holds any of it."""
    if not _postgresql(session):
        return True
    query = text("SELECT pg_try_advisory_xact_lock(hashtext(:s))")
    return bool(session.execute(query, {"s": REMAINDER}).scalar_one())


def try_partitions(session: Session, partitions: Iterable[int]) -> set[int]:
    """Lock what can be locked of these partitions for this transaction; the ones locked.

    Nothing is locked when the remainder is held exclusively (by another daemon deciding
    it, or a payout, or a daemon that is not sharing): then this returns an empty set.
    """
    wanted = sorted(set(partitions))
    if not _postgresql(session) or not wanted:
        return set(wanted)
    shared = text("SELECT pg_try_advisory_xact_lock_shared(hashtext(:s))")
    if not session.execute(shared, {"s": REMAINDER}).scalar_one():
        return set()
    query = text(
        "SELECT p FROM unnest(:wanted) AS p WHERE pg_try_advisory_xact_lock(hashtext(:space), p)"
    ).bindparams(bindparam("wanted", type_=ARRAY(INTEGER)))
    rows = session.execute(query, {"wanted": wanted, "space": PARTITION_SPACE})
    return {int(p) for (p,) in rows}


def claim_pending(session: Session, line_ids: Iterable[int]) -> set[int]:
    """Of these bank lines, the ones still pending that no other transaction holds; held now.

    PostgreSQL: `FOR UPDATE SKIP LOCKED`, so two daemons that put a line in different
    partitions (their views of the book differ by moments) never both decide it. The
    rows stay locked until this transaction ends; lines decided meanwhile by a committed
    transaction are no longer pending and are left out.
    """
    ids = sorted(set(line_ids))
    if not ids:
        return set()
    lock = " FOR UPDATE SKIP LOCKED" if _postgresql(session) else ""
    found: set[int] = set()
    for start in range(0, len(ids), _CHUNK):
        query = text(
            f"SELECT id FROM bank_line WHERE status = 'pending' AND id IN :ids{lock}"  # noqa: S608 - fixed text, values bound
        ).bindparams(bindparam("ids", expanding=True))
        found.update(
            int(i) for (i,) in session.execute(query, {"ids": ids[start : start + _CHUNK]})
        )
    return found


_CHUNK = 1000
