"""Core access to the SQLModel tables, for bulk statements that skip ORM object overhead."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, cast

import psycopg
from psycopg.types.json import Json
from sqlalchemy import JSON, Column, Table, bindparam, delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
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
    session: Session, table: Table, erp: str, key: str, fresh: Iterable[dict[str, Any]]
) -> int:
    """Make one ERP's rows of `table` equal `fresh`, writing only rows that differ.

    Rows are compared on every column but `seen_at`; changed rows are deleted and
    inserted again, rows no longer fetched are deleted. Returns how many rows were written.

    `fresh` is consumed a chunk at a time, and each stored row is held as the hash of its
    values (equal values hash equal), so a book of a million invoices is never held
    twice over as rows.
    """
    columns = [c for c in table.c if c.name not in ("erp", key, "seen_at")]
    stored = {
        row[0]: _row_hash(tuple(row[1:]))
        for row in session.connection().execute(
            select(table.c[key], *columns).where(table.c.erp == erp)
        )
    }
    written = 0
    rows = iter(fresh)
    while chunk := list(itertools.islice(rows, _SYNC_CHUNK)):
        changed, replaced = [], []
        for row in chunk:
            before = stored.pop(row[key], None)
            if before != _row_hash(tuple(row[c.name] for c in columns)):
                changed.append(row)
                if before is not None:
                    replaced.append(row[key])
        _delete_keys(session, table, erp, key, replaced)
        bulk_insert(session, table, changed)
        written += len(changed)
    _delete_keys(session, table, erp, key, list(stored))  # no longer fetched
    return written


_SYNC_CHUNK = 5000


def _row_hash(values: tuple[Any, ...]) -> int:
    """A row's values hashed so that equal values hash equal and -1 differs from -2.

    CPython hashes the number -1 (int or Decimal) as -2, so an amount changed from one to
    the other would hash the same; the sign of each number past -1 tells them apart.
    """
    return hash((values, tuple(v < -1 for v in values if type(v) in _NUMBERS)))


_NUMBERS = (int, Decimal)


def _delete_keys(session: Session, table: Table, erp: str, key: str, keys: list[Any]) -> None:
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        session.connection().execute(
            delete(table).where(table.c.erp == erp, table.c[key].in_(chunk))
        )


def bulk_insert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows in the caller's transaction; on PostgreSQL with COPY.

    COPY is several times faster than batched INSERTs for the hundreds of thousands of
    rows of a large ERP snapshot; elsewhere this is one executemany INSERT.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect
    if dialect.name == "sqlite" and not _defaults_missing(table, rows[0]):
        _sqlite_executemany(session, table, rows, dialect)
        return
    if dialect.name != "postgresql":
        session.connection().execute(insert(table), list(rows))
        return
    columns = [c for c in table.c if c.name in rows[0]]
    names = [c.name for c in columns]
    convert = [_copy_value(c, dialect) for c in columns]
    dbapi = cast("psycopg.Connection[Any]", session.connection().connection.dbapi_connection)
    quoted = ", ".join(f'"{n}"' for n in names)
    with (
        dbapi.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row([f(row[n]) for f, n in zip(convert, names, strict=True)])


def _defaults_missing(table: Table, row: dict[str, Any]) -> bool:
    """A column left out of the rows has a Python-side default only SQLAlchemy would apply."""
    return any(c.default is not None and c.name not in row for c in table.c)


def _sqlite_executemany(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], dialect: Dialect
) -> None:
    """One DBAPI executemany, each value bound as its column type binds it.

    What SQLAlchemy's executemany does, without its per-row, per-value bookkeeping,
    which cost more than SQLite's own work for the tens of thousands of rows of a
    first cycle (bank lines, snapshot, applications, outbox).
    """
    compiled = insert(table).compile(dialect=dialect, column_keys=list(rows[0]))
    names = list(compiled.positiontup or ())  # the statement's parameters, in order
    # dialect_impl: the type as this dialect binds it (SQLite's DATETIME and DATE format
    # themselves); the generic type's bind_processor would hand datetimes to sqlite3's
    # default adapters, deprecated since Python 3.12 and formatted unlike SQLAlchemy's.
    convert = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
    pairs = list(zip(names, convert, strict=True))
    values = [tuple(row[n] if f is None else f(row[n]) for n, f in pairs) for row in rows]
    session.connection().exec_driver_sql(str(compiled), values)


def update_rows(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], **same: Any
) -> None:
    """UPDATE many rows by `id`, each with its own values, plus `same` values for all of them.

    Every row has the same keys: `id` and the columns it sets. On PostgreSQL one statement
    per chunk joins the rows as unnest()ed arrays (an executemany costs a round of the
    protocol per row); elsewhere it is one executemany.
    """
    if not rows:
        return
    names = [n for n in rows[0] if n != "id"]
    if session.get_bind().dialect.name != "postgresql":
        statement = update(table).where(table.c.id == bindparam("v_id"))
        statement = statement.values({**{n: bindparam(f"v_{n}") for n in names}, **same})
        session.connection().execute(statement, [{f"v_{k}": v for k, v in r.items()} for r in rows])
        return
    for start in range(0, len(rows), _UPDATE_CHUNK):
        chunk = rows[start : start + _UPDATE_CHUNK]
        arrays = [
            bindparam(f"v_{n}", [r[n] for r in chunk], type_=ARRAY(table.c[n].type))
            for n in ("id", *names)
        ]
        v = func.unnest(*arrays).table_valued("id", *names).render_derived(name="v")
        statement = update(table).where(table.c.id == v.c.id)
        session.connection().execute(statement.values({**{n: v.c[n] for n in names}, **same}))


_UPDATE_CHUNK = 5000


def _copy_value(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any]:
    """How a value of `column` is handed to COPY: as its type would bind it (Money, dates)."""
    if isinstance(column.type, JSON):
        return Json  # SQLAlchemy leaves JSON to the driver's adapter; COPY needs it wrapped
    return column.type.bind_processor(dialect) or _same


def _same(value: Any) -> Any:
    return value


def serialize(session: Session, section: str) -> None:
    """Make the rest of this transaction exclusive among processes for `section`.

    PostgreSQL: a transaction-level advisory lock, released at commit or rollback.
    SQLite needs none: one process per store, and writers are serialized anyway.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": section})
