"""Login throttling per account and per client address, with exponential backoff.

After `free` failures in a row a key must wait `base * 2**(extra failures)` seconds
(at most `cap`) before the next try; a success clears the account's count (not the
address's, so one good account does not unlock guessing at others from that address).
Counts live in this process; a restart forgets them.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    """How many failures are free, and how the wait grows after them."""

    free: int
    base: float = 1.0
    cap: float = 300.0

    def wait(self, failures: int) -> float:
        """Seconds to wait after this many failures in a row."""
        extra = failures - self.free
        return 0.0 if extra < 0 else min(self.cap, self.base * 2 ** min(extra, 30))


class LoginThrottle:
    """Remembers failed logins by account and by address; says how long a new try must wait."""

    def __init__(
        self,
        *,
        per_user: Backoff = Backoff(free=5),
        per_address: Backoff = Backoff(free=20),
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self._rules = {"user": per_user, "address": per_address}
        self._clock, self._max = clock, max_keys
        self._failed: OrderedDict[tuple[str, str], tuple[int, float]] = OrderedDict()

    def retry_after(self, name: str, address: str) -> float:
        """Seconds before this account or address may try again (0: go ahead)."""
        now = self._clock()
        waits = [0.0]
        for key in (("user", name.lower()), ("address", address)):
            count, last = self._failed.get(key, (0, now))
            waits.append(last + self._rules[key[0]].wait(count) - now)
        return max(waits)

    def address_retry_after(self, address: str) -> float:
        """Seconds before this address may try again, whatever the account (0: go ahead)."""
        now = self._clock()
        count, last = self._failed.get(("address", address), (0, now))
        return max(0.0, last + self._rules["address"].wait(count) - now)

    def failed(self, name: str, address: str) -> None:
        """Count a failed login against the account and the address."""
        now = self._clock()
        for key in (("user", name.lower()), ("address", address)):
            count, _ = self._failed.pop(key, (0, now))
            self._failed[key] = (count + 1, now)
        while len(self._failed) > self._max:
            self._failed.popitem(last=False)

    def succeeded(self, name: str) -> None:
        """Forget the account's failures."""
        self._failed.pop(("user", name.lower()), None)
