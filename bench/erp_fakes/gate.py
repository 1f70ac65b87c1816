"""How many requests a live stand-in serves at once: per tenant, and one at a time per session.

A vendor that limits concurrent requests (Acumatica's licence) makes the extra ones
wait in a queue and rejects them when they have waited too long; a vendor whose
sessions are served one request at a time (Acumatica's cookie sessions) makes a
session's second request wait for its first. A request that hangs keeps its place
until the server gives up on it, as a real server's worker would.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

QUEUE_SECONDS = 10.0
"""How long a request waits for a free slot before it is rejected (the reference names none)."""


class Gate:
    """Admits a request when its session is free and the tenant has a slot."""

    def __init__(
        self,
        concurrent: int | None,
        session_of: Callable[[httpx.Request], str | None] | None,
        queue_seconds: float = QUEUE_SECONDS,
    ) -> None:
        self._slots = threading.BoundedSemaphore(concurrent) if concurrent else None
        self._session_of = session_of
        self._sessions: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._queue = queue_seconds
        self.rejected = 0
        self.peak = 0
        self._busy = 0

    @contextmanager
    def enter(self, request: httpx.Request) -> Iterator[bool]:
        """Hold the request's session and a slot while inside; yields False if rejected."""
        sid = self._session_of(request) if self._session_of is not None else None
        with self._session(sid):
            if self._slots is None:
                yield True
                return
            if not self._slots.acquire(timeout=self._queue):
                with self._lock:
                    self.rejected += 1
                yield False
                return
            with self._lock:
                self._busy += 1
                self.peak = max(self.peak, self._busy)
            try:
                yield True
            finally:
                with self._lock:
                    self._busy -= 1
                self._slots.release()

    @contextmanager
    def _session(self, sid: str | None) -> Iterator[None]:
        if sid is None:
            yield
            return
        with self._lock:
            lock = self._sessions.setdefault(sid, threading.Lock())
        with lock:
            yield
