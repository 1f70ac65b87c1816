"""Acumatica lanes: requests in flight at once, each lane its own cookie session.

Acumatica serves the requests of one session one at a time (the OAuth scope
`api:concurrent_access` exists to lift that), and the licence caps the API users
(sessions) and the requests at once. So arbridge keeps up to `concurrent_requests`
lanes, each an HTTP client with its own cookie jar and login, all counted by one
shared rate limiter. The first lane does the reads; the others log in when a
posting needs them and are logged out with it. A lane whose login is refused
(`API Login Limit`: the seats are taken) sits the scope out; the rest go on.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import TypeVar

import structlog

from arbridge.connectors.erp._http import HttpClient
from arbridge.connectors.erp.acumatica.session import CookieSession
from arbridge.connectors.errors import ConnectorError

log = structlog.get_logger("arbridge.erp.acumatica")
T = TypeVar("T")


@dataclass(eq=False)
class Lane:
    """One HTTP client and the session it logs in with."""

    api: HttpClient
    session: CookieSession


class Lanes:
    """The lanes of one gateway: `first` for reads, all of them for posting."""

    def __init__(self, first: Lane, more: Sequence[Lane] = ()) -> None:
        self.first = first
        self._more = list(more)
        self._refused: set[int] = set()
        self._depth = 0

    @property
    def size(self) -> int:
        """How many lanes there are (logged in or not)."""
        return 1 + len(self._more)

    @contextmanager
    def open(self) -> Iterator[None]:
        """Every lane's session scope: each logs in on first use, out when the scope ends."""
        self._depth += 1
        try:
            with ExitStack() as stack:
                for lane in [self.first, *self._more]:
                    stack.enter_context(lane.session.open())
                yield
        finally:
            self._depth -= 1
            if self._depth == 0:  # a lane refused in this scope may log in next time
                self._refused.clear()

    def ready(self, wanted: int) -> list[Lane]:
        """Up to `wanted` lanes with a session: the first, then others as they log in."""
        usable = [self.first]
        for index, lane in enumerate(self._more):
            if len(usable) >= wanted:
                break
            if index in self._refused:
                continue
            try:
                lane.session.headers()  # logs in if it has not yet
            except ConnectorError as exc:
                self._refused.add(index)
                log.info("acumatica_lane_not_logged_in", lane=index + 2, error=exc.message)
                continue
            usable.append(lane)
        return usable


class Pool:
    """Hands each task a free lane and takes it back (one task per lane at a time)."""

    def __init__(self, lanes: Sequence[Lane]) -> None:
        self._free: queue.SimpleQueue[Lane] = queue.SimpleQueue()
        for lane in lanes:
            self._free.put(lane)

    def run(self, task: Callable[[Lane], T]) -> T:
        """Run `task` on a free lane (waits for one)."""
        lane = self._free.get()
        try:
            return task(lane)
        finally:
            self._free.put(lane)
