"""A client-side rate limiter: several sliding windows, waited out before each request.

Vendors publish limits as "N requests per T seconds" (sometimes two at once, as
QuickBooks' 500/min and 10/s); the limiter keeps the send times of the largest
window and sleeps until every window has room. Clock and sleep are injected so
tests and the bench run on virtual time.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


class RequestLimiter(Protocol):
    """Anything that makes a request wait for its turn (this module's or a shared budget)."""

    def acquire(self) -> None:
        """Block until one more request may go out, and count it."""
        ...


@runtime_checkable
class Adaptive(Protocol):
    """A limiter that hears how the vendor took its requests."""

    def throttled(self) -> None:
        """The vendor answered 429: go slower."""
        ...

    def succeeded(self) -> None:
        """A request went through: creep back towards the limit."""
        ...


@dataclass(frozen=True, slots=True)
class Window:
    """At most `limit` requests in any `seconds`-long sliding window."""

    limit: int
    seconds: float

    def __post_init__(self) -> None:
        if self.limit < 1 or self.seconds <= 0:
            raise ValueError(f"a rate window needs limit >= 1 and seconds > 0, got {self}")


class RateLimiter:
    """Blocks in `acquire()` until a request may go out under every window."""

    def __init__(
        self,
        windows: Sequence[Window],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._windows = tuple(windows)
        self._clock, self._sleep = clock, sleep
        keep = max((w.limit for w in self._windows), default=0)
        self._sent: deque[float] = deque(maxlen=keep or None)
        self._lock = threading.Lock()
        self.waited = 0.0
        """Total seconds spent waiting (for the bench)."""

    def acquire(self) -> None:
        """Wait until a request fits every window, then count it."""
        if not self._windows:
            return
        with self._lock:
            while (delay := self._delay(self._clock())) > 0:
                self.waited += delay
                self._sleep(delay)
            self._sent.append(self._clock())

    def _limit(self, window: Window) -> int:
        """How many requests this window lets through now."""
        return window.limit

    def _delay(self, now: float) -> float:
        delay = 0.0
        for window in self._windows:
            limit = self._limit(window)
            if len(self._sent) >= limit:
                oldest = self._sent[-limit]
                delay = max(delay, oldest + window.seconds - now)
        return delay


class AdaptiveRateLimiter(RateLimiter):
    """Starts under the vendor's windows, slows down on a 429, recovers as requests go through.

    Every window's limit is scaled by `share`: `start` at first (under the limit), cut
    by `cut` on each 429 (down to `floor`), raised by `step` on each success (up to
    `ceiling`). A vendor that throttles now and then costs a short slowdown; one that
    keeps throttling (a busy tenant, a shared licence) is met at the rate it accepts.
    The cut is 15 %, not more: the windows slide, so a cut stalls sending until the
    window has drained to the new share, and a deeper cut for every stray 429 (a proxy,
    a hiccup) would cost a third of the rate; a vendor that means it answers 429 again
    and the cuts compound.
    """

    def __init__(
        self,
        windows: Sequence[Window],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        start: float = 0.9,
        floor: float = 0.2,
        ceiling: float = 0.98,
        cut: float = 0.85,
        step: float = 0.01,
    ) -> None:
        super().__init__(windows, clock=clock, sleep=sleep)
        self.share, self._floor, self._ceiling = start, floor, ceiling
        self._cut, self._step = cut, step
        self.throttles = 0

    def throttled(self) -> None:
        """The vendor answered 429: a smaller share of every window."""
        with self._lock:
            self.throttles += 1
            self.share = max(self._floor, self.share * self._cut)

    def succeeded(self) -> None:
        """A request went through: a step back towards the ceiling."""
        with self._lock:
            self.share = min(self._ceiling, self.share + self._step)

    def _limit(self, window: Window) -> int:
        return max(1, int(window.limit * self.share))


LimiterFactory = Callable[[Sequence[Window]], RequestLimiter]
"""Builds the limiter for a connector's vendor windows (the composition root may share it)."""
