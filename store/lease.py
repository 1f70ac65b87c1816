"""The daemon lease: at most one arbridge process pushes for a given store at a time.

SQLite: an exclusive `flock` on `<database>.lock` beside the database file (one machine,
one process). PostgreSQL: a session-level advisory lock held on a dedicated connection.
Both are released by the operating system or the server the moment the holder dies,
even by `kill -9`, so a waiting daemon takes over without a stale-lease timeout.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import Connection, Engine, text

# the advisory lock key arbridge daemons agree on (any fixed positive bigint)
_PG_LOCK_KEY = 0x2B3C5A7D1E4F6A11


class Lease(Protocol):
    """An exclusive right to run the daemon for one store."""

    def try_acquire(self) -> bool:
        """Take the lease if it is free; True when this process holds it."""
        ...

    def holder(self) -> str:
        """Who holds the lease (pid@host since when), or '' when nobody is known to."""
        ...

    def release(self) -> None:
        """Give the lease up (idempotent)."""
        ...


def _whoami() -> str:
    started = datetime.now(UTC).isoformat(timespec="seconds")
    return f"pid {os.getpid()}@{socket.gethostname()} since {started}"


class FileLease:
    """A lock file beside the SQLite database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def try_acquire(self) -> bool:
        """Lock the file without blocking and write who holds it."""
        if self._handle is not None:
            return True
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"holder": _whoami()}))
        handle.flush()
        self._handle = handle
        return True

    def holder(self) -> str:
        """The holder written in the lock file, if the lock is really held."""
        if self._handle is None and not self._is_locked():
            return ""
        with suppress(OSError, ValueError, KeyError):
            return str(json.loads(self.path.read_text(encoding="utf-8"))["holder"])
        return ""

    def _is_locked(self) -> bool:
        try:
            handle = self.path.open("r", encoding="utf-8")
        except FileNotFoundError:
            return False
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            return False

    def release(self) -> None:
        """Unlock and close."""
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


class AdvisoryLease:
    """A PostgreSQL session advisory lock on a connection kept open while held."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._me = _whoami()

    def try_acquire(self) -> bool:
        """`pg_try_advisory_lock` on a dedicated connection."""
        if self._connection is not None:
            return True
        connection = self._engine.connect()
        taken = connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": _PG_LOCK_KEY}
        ).scalar_one()
        connection.commit()
        if not taken:
            connection.close()
            return False
        self._connection = connection
        return True

    def holder(self) -> str:
        """This process when it holds the lease, else the server pid of the holder."""
        if self._connection is not None:
            return self._me
        with self._engine.connect() as connection:
            pid = connection.execute(
                text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND objsubid = 1 AND classid::bigint = :hi AND objid::bigint = :lo"
                ),
                {"hi": _PG_LOCK_KEY >> 32, "lo": _PG_LOCK_KEY & 0xFFFFFFFF},
            ).scalar()
        return f"postgres backend pid {pid}" if pid is not None else ""

    def release(self) -> None:
        """Unlock and close the connection."""
        if self._connection is not None:
            with suppress(Exception):
                self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_LOCK_KEY}
                )
            self._connection.close()
            self._connection = None


def lease_for(engine: Engine) -> Lease:
    """The lease that fits the store's database."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:":
            raise ValueError("an in-memory SQLite store cannot be shared; no lease needed")
        return FileLease(Path(f"{database}.lock"))
    return AdvisoryLease(engine)
