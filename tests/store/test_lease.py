"""The daemon lease on SQLite: one holder at a time, freed when the holder goes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from arbridge.store import create_store_engine
from arbridge.store.lease import AdvisoryLease, FileLease, lease_for
from tests.postgres_server import PostgresServer


def test_second_holder_is_refused_until_the_first_releases(tmp_path: Path) -> None:
    first, second = FileLease(tmp_path / "s.db.lock"), FileLease(tmp_path / "s.db.lock")

    assert first.try_acquire()
    assert not second.try_acquire()
    assert f"pid {os.getpid()}@" in second.holder()

    first.release()
    assert second.try_acquire()
    second.release()


def test_acquiring_twice_in_one_holder_is_idempotent(tmp_path: Path) -> None:
    lease = FileLease(tmp_path / "s.db.lock")
    assert lease.try_acquire()
    assert lease.try_acquire()
    lease.release()
    lease.release()


def test_sqlite_store_gets_a_lock_file_beside_the_database(tmp_path: Path) -> None:
    lease = lease_for(create_store_engine(f"sqlite:///{tmp_path / 'state.db'}"))

    assert isinstance(lease, FileLease)
    assert lease.path == tmp_path / "state.db.lock"


def test_postgresql_advisory_lease_is_exclusive_and_freed_with_its_connection(
    postgres: PostgresServer,
) -> None:
    url = postgres.fresh_database()
    first_engine, second_engine = create_store_engine(url), create_store_engine(url)
    first, second = lease_for(first_engine), lease_for(second_engine)
    try:
        assert isinstance(first, AdvisoryLease)
        assert first.try_acquire()
        assert not second.try_acquire()
        assert second.holder().startswith("postgres backend pid ")

        backend = int(second.holder().rsplit(" ", 1)[1])
        with second_engine.connect() as conn:  # the holder dies: the server ends its session
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        deadline = time.monotonic() + 10  # termination is asynchronous: the lock goes soon after
        while not second.try_acquire() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert second.try_acquire()
        assert second.holder().startswith(f"pid {os.getpid()}@")
    finally:
        first.release()
        second.release()
        first_engine.dispose()
        second_engine.dispose()


def test_in_memory_store_has_no_lease() -> None:
    with pytest.raises(ValueError, match="in-memory"):
        lease_for(create_store_engine("sqlite://"))


def test_a_released_lease_names_no_holder(tmp_path: Path) -> None:
    lease = FileLease(tmp_path / "s.db.lock")
    lease.try_acquire()
    lease.release()

    assert FileLease(tmp_path / "s.db.lock").holder() == ""
