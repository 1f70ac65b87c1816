"""A throwaway PostgreSQL server for the test session: Debian's binaries, a temp dir, loopback.

Tests get a fresh database each, cloned from a migrated template (fast). When no
PostgreSQL binaries are installed (`scripts/test-deps` installs them), the PostgreSQL
half of the suite is skipped with a loud reason.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

TEMPLATE = "arbridge_template"
_counter = itertools.count()


def find_bindir() -> Path | None:
    """Where initdb and pg_ctl live, if installed."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    which = shutil.which("initdb")
    if which:
        candidates.append(str(Path(which).resolve().parent))
    for directory in candidates:
        if (Path(directory) / "initdb").exists() and (Path(directory) / "pg_ctl").exists():
            return Path(directory)
    return None


class PostgresServer:
    """Start with `start()`, stop with `stop()`; `url(db)` gives SQLAlchemy URLs."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="arbridge-pg-"))
        self.port = _free_port()
        self._user = "postgres" if os.geteuid() == 0 else None  # postgres refuses to run as root

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._user:
            command = ["runuser", "-u", self._user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self) -> None:
        """initdb, then pg_ctl start on 127.0.0.1:port with trust auth."""
        data = self.root / "data"
        if self._user:
            entry = pwd.getpwnam(self._user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(data), "-U", "arbridge", "--auth=trust", "-E", "UTF8")
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(data), "-o", options, "-l", str(self.root / "log"), "-w", "start"
        )

    def stop(self) -> None:
        """Stop the server and remove its files."""
        try:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        """A SQLAlchemy URL for one database (no password: trust auth on loopback)."""
        return f"postgresql+psycopg://arbridge@127.0.0.1:{self.port}/{database}"

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="arbridge", dbname="postgres", autocommit=True
        )

    def create_template(self) -> str:
        """An empty database to migrate once and clone per test."""
        with self._admin() as conn:
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        return self.url(TEMPLATE)

    def fresh_database_empty(self) -> str:
        """A new, empty database (arbridge migrates it on first start)."""
        name = f"e{os.getpid()}_{next(_counter)}"
        with self._admin() as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def fresh_database(self) -> str:
        """A new database cloned from the migrated template."""
        name = f"t{os.getpid()}_{next(_counter)}"
        with self._admin() as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.url(name)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
