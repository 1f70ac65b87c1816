"""Daemons sharing a store: the first success of a connector, recorded by two at once."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from arbridge.scheduler._health import connector_ok
from arbridge.store import Store
from arbridge.store.tables import ConnectorHealthRow

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_row_created_by_another_daemon_meanwhile_does_not_fail_the_cycle(
    engine: Engine, store: Store
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("one process per SQLite store: no other daemon can race")
    other = Session(engine)
    other.add(ConnectorHealthRow(name="acct00", role="bank", status="up", last_success_at=NOW))
    other.flush()  # the other daemon's insert, not committed yet: ours waits on its key
    failures: list[BaseException] = []

    def ours() -> None:
        try:
            connector_ok(store, "acct00", lambda: NOW, role="bank")
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=ours)
    thread.start()
    time.sleep(0.3)  # let ours reach the insert (if it has not, it simply updates later)
    other.commit()
    other.close()
    thread.join(timeout=30)

    assert failures == []
    with Session(engine) as session:
        row = session.get_one(ConnectorHealthRow, "acct00")
        assert (row.status, row.consecutive_failures) == ("up", 0)
