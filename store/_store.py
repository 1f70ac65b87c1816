"""The store handle: an engine and short transactions on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from arbridge.domain.errors import ArbridgeError
from arbridge.store._core import serialize


class StoreUnavailableError(ArbridgeError):
    """The database cannot be reached, is locked, or the disk is full."""


class StoreConflictError(ArbridgeError):
    """Another process wrote the same thing first (a unique key); safe to skip or retry."""


class Store:
    """Hands out transactions; everything in one `transaction()` commits or nothing does."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside one database transaction, committed on success.

        Raises:
            StoreUnavailableError: the database refused (unreachable, locked, disk full).
        """
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except OperationalError as exc:
            raise StoreUnavailableError(f"store unavailable: {exc.orig}") from exc
        except IntegrityError as exc:
            raise StoreConflictError(f"another writer got there first: {exc.orig}") from exc

    @property
    def shared(self) -> bool:
        """True when several processes may work on this store at once (PostgreSQL)."""
        return self.engine.dialect.name == "postgresql"

    @staticmethod
    def serialize(session: Session, section: str) -> None:
        """Make the rest of this transaction exclusive among processes (see `_core.serialize`)."""
        serialize(session, section)

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
