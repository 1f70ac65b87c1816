"""Fault injection shared by the fake ERP servers: canned answers or a lost response."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

LOSE = "lose"
"""Process the request, then drop the answer (the client sees a read timeout)."""

TIMEOUT = "timeout"
"""Drop the request before the ERP sees it (the client sees a read timeout; nothing was done)."""

PASS = "pass"
"""Let this call through untouched (to aim a later fault at the n-th call)."""

Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class Faults:
    """Per-operation queues of faults; each fault is used once."""

    queued: dict[str, list[httpx.Response | str]] = field(default_factory=lambda: defaultdict(list))
    calls: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, operation: str, *faults: httpx.Response | str) -> None:
        """Queue faults for the next calls of an operation."""
        self.queued[operation].extend(faults)

    def wrap(self, operation: str, handler: Handler) -> Handler:
        """A respx side effect: count the call, apply a queued fault, else handle it."""

        def side_effect(request: httpx.Request) -> httpx.Response:
            self.calls[operation] += 1
            queue = self.queued[operation]
            fault = queue.pop(0) if queue else None
            if isinstance(fault, httpx.Response):
                return fault
            if fault == TIMEOUT:
                raise httpx.ReadTimeout("no answer", request=request)
            response = handler(request)
            if fault == LOSE:
                raise httpx.ReadTimeout("response lost", request=request)
            return response

        return side_effect
