"""The store handle: an engine and short transactions on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from domain.errors import ArbridgeError


class StoreUnavailableError(ArbridgeError):
    """The database cannot be reached, is locked, or the disk is full."""


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

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
