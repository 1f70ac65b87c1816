"""Core access to the SQLModel tables, for bulk statements that skip ORM object overhead."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Column, Table, select, text
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


def serialize(session: Session, section: str) -> None:
    """Make the rest of this transaction exclusive among processes for `section`.

    PostgreSQL: a transaction-level advisory lock, released at commit or rollback.
    SQLite needs none: one process per store, and writers are serialized anyway.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": section})
