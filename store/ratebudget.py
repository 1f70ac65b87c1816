"""A vendor's request budget shared by every daemon on one store.

Each request is recorded as a row; before sending, a daemon counts the rows of the
connector in each sliding window under a PostgreSQL transaction lock, so three
daemons together never exceed what one tenant allows. (On SQLite one process
serves the store and this still works, but a plain in-process limiter does too.)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from sqlalchemy import Engine, delete, func, insert, select
from sqlmodel import Session

from arbridge.store._core import serialize, table_of
from arbridge.store.tables import RateEventRow

_PRUNE_EVERY = 500  # requests between deletions of rows older than the longest window


class SharedRateBudget:
    """`acquire()` waits until a request fits every (limit, seconds) window, across processes."""

    def __init__(
        self,
        engine: Engine,
        connector: str,
        windows: Sequence[tuple[int, float]],
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._engine, self._connector = engine, connector
        self._windows = tuple(windows)
        self._clock, self._sleep = clock, sleep
        self._count = 0
        self.waited = 0.0

    def acquire(self) -> None:
        """Block until a request may go out under every window, then record it."""
        if not self._windows:
            return
        while (delay := self._try()) > 0:
            self.waited += delay
            self._sleep(delay)

    def _try(self) -> float:
        """Record a request and return 0, or return how long to wait first."""
        with Session(self._engine) as session, session.begin():
            serialize(session, f"rate:{self._connector}")
            now = self._clock()
            delay = max(
                self._delay(session, now, limit, seconds) for limit, seconds in self._windows
            )
            if delay > 0:
                return delay
            session.execute(
                insert(table_of(RateEventRow)), {"connector": self._connector, "at": now}
            )
            self._count += 1
            if self._count % _PRUNE_EVERY == 0:
                oldest = now - max(seconds for _, seconds in self._windows)
                session.execute(
                    delete(table_of(RateEventRow)).where(
                        table_of(RateEventRow).c.connector == self._connector,
                        table_of(RateEventRow).c.at < oldest,
                    )
                )
        return 0.0

    def _delay(self, session: Session, now: float, limit: int, seconds: float) -> float:
        events = table_of(RateEventRow)
        where = (events.c.connector == self._connector, events.c.at > now - seconds)
        used = session.execute(select(func.count()).select_from(events).where(*where)).scalar_one()
        if used < limit:
            return 0.0
        # wait until the oldest request that still counts leaves the window
        oldest_counted = session.execute(
            select(events.c.at)
            .where(*where)
            .order_by(events.c.at.desc())
            .offset(limit - 1)
            .limit(1)
        ).scalar()
        return max(float(oldest_counted or now) + seconds - now, 0.001)
