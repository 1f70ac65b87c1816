"""Core access to the SQLModel tables, for bulk statements that skip ORM object overhead."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, Table, delete, insert, select, text
from sqlmodel import Session, SQLModel

_CHUNK = 500


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a table model."""
    name = str(model.__tablename__)
    return SQLModel.metadata.tables[name]


def ids_by_key(session: Session, key: Column[str], values: Sequence[str]) -> dict[str, int]:
    """Primary keys of rows by a unique column, looked up in chunks (after a bulk insert)."""
    table = key.table
    found: dict[str, int] = {}
    for start in range(0, len(values), _CHUNK):
        query = select(key, table.c.id).where(key.in_(values[start : start + _CHUNK]))
        found.update((k, i) for k, i in session.connection().execute(query))
    return found


def sync_rows(
    session: Session, table: Table, erp: str, key: str, fresh: Sequence[dict[str, Any]]
) -> int:
    """Make one ERP's rows of `table` equal `fresh`, writing only rows that differ.

    Rows are compared on every column but `seen_at`; changed rows are deleted and
    inserted again, rows no longer fetched are deleted. Returns how many rows were written.
    """
    columns = [c for c in table.c if c.name not in ("erp", key, "seen_at")]
    stored = {
        row[0]: tuple(row[1:])
        for row in session.connection().execute(
            select(table.c[key], *columns).where(table.c.erp == erp)
        )
    }
    wanted = {row[key] for row in fresh}
    stale = [k for k in stored if k not in wanted]
    changed = [row for row in fresh if stored.get(row[key]) != tuple(row[c.name] for c in columns)]
    stale += [row[key] for row in changed if row[key] in stored]
    for start in range(0, len(stale), _CHUNK):
        chunk = stale[start : start + _CHUNK]
        session.connection().execute(
            delete(table).where(table.c.erp == erp, table.c[key].in_(chunk))
        )
    if changed:
        session.connection().execute(insert(table), changed)
    return len(changed)


def serialize(session: Session, section: str) -> None:
    """Make the rest of this transaction exclusive among processes for `section`.

    PostgreSQL: a transaction-level advisory lock, released at commit or rollback.
    SQLite needs none: one process per store, and writers are serialized anyway.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": section})
