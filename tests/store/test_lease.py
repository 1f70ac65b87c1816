"""The daemon lease on SQLite: one holder at a time, freed when the holder goes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import Engine

from store import create_store_engine
from store.lease import FileLease, lease_for


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


def test_sqlite_store_gets_a_lock_file_beside_the_database(engine: Engine, tmp_path: Path) -> None:
    lease = lease_for(engine)

    assert isinstance(lease, FileLease)
    assert lease.path == tmp_path / "state.db.lock"


def test_in_memory_store_has_no_lease() -> None:
    with pytest.raises(ValueError, match="in-memory"):
        lease_for(create_store_engine("sqlite://"))


def test_a_released_lease_names_no_holder(tmp_path: Path) -> None:
    lease = FileLease(tmp_path / "s.db.lock")
    lease.try_acquire()
    lease.release()

    assert FileLease(tmp_path / "s.db.lock").holder() == ""
