"""The vendors' request limits as the live stand-ins enforce them (reference §1.12, §2.9, §3.9).

- Business Central: 6,000 OData requests per 5-minute sliding window. Every
  operation inside a `$batch` counts as one request (the conservative reading; the
  docs do not say a batch is cheaper). The sustained rate is 1,200 a minute.
- QuickBooks Online: 500 requests a minute and 10 a second per realm, and 40 batch
  requests a minute of at most 30 payloads: at best 1,200 payments a minute.
- Acumatica (reference §1.12): the licence sets the web-services API users (concurrent
  sessions; a trial has 2), the concurrent API requests and the requests per minute; the
  numbers are not published, write-ups quote roughly 100-150 a minute, and the reference
  says to design for 2-3 requests at once. The stand-in enforces the top of the quoted
  range (`ACUMATICA_PER_MINUTE`), 2 requests at once across the tenant (more wait in a
  queue, then 429: "queued/delayed and eventually rejected"), 2 sessions (the trial's
  seats), and one request at a time per session (requests of one cookie session are
  served in turn, which is why the OAuth scope `api:concurrent_access` exists). The
  bench configures the connector with the same figures, as an admin would from the licence.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from arbridge.domain.records import Customer, Invoice
from bench.erp_fakes import fake_acumatica, fake_bc, fake_qbo

ACUMATICA_PER_MINUTE = 150
ACUMATICA_CONCURRENT = 2


@dataclass(frozen=True)
class Window:
    """At most `limit` counted requests in any `seconds`."""

    limit: int
    seconds: float


@dataclass(frozen=True)
class VendorSpec:
    """How one vendor limits, throttles and counts."""

    name: str
    make: Callable[[Sequence[Customer], Sequence[Invoice]], Any]
    windows: tuple[Window, ...]
    batch_windows: tuple[Window, ...]
    throttled: Callable[[], httpx.Response]
    best_postings_per_minute: float
    """What the limits allow at best (one request per payment, or full batches)."""
    limit_note: str
    concurrent: int | None = None
    """Requests served at once across the tenant (more wait their turn), if limited."""
    session_of: Callable[[httpx.Request], str | None] | None = None
    """The session a request belongs to, where a session is served one request at a time."""


def _bc_429() -> httpx.Response:
    return fake_bc.error(
        429, "Application_TooManyRequests", "Too many requests, rate limit reached"
    )


def _qbo_429() -> httpx.Response:
    return fake_qbo.fault(429, "003001", "ThrottleExceeded", kind="SERVICE")


def _acu_429() -> httpx.Response:
    return fake_acumatica.http_error(429, "API request limit exceeded")


VENDORS = {
    "business_central": VendorSpec(
        "business_central",
        fake_bc.FakeBusinessCentral,
        (Window(6000, 300.0),),
        (),
        _bc_429,
        1200.0,
        "6,000 req / 5 min (1,200/min sustained), 1 req per payment",
    ),
    "quickbooks": VendorSpec(
        "quickbooks",
        fake_qbo.FakeQuickBooks,
        (Window(500, 60.0), Window(10, 1.0)),
        (Window(40, 60.0),),
        _qbo_429,
        1200.0,
        "500 req/min, 10/s, 40 batches of 30 a minute",
    ),
    "acumatica": VendorSpec(
        "acumatica",
        fake_acumatica.FakeAcumatica,
        (Window(ACUMATICA_PER_MINUTE, 60.0),),
        (),
        _acu_429,
        ACUMATICA_PER_MINUTE / 2,
        f"{ACUMATICA_PER_MINUTE} req/min, {ACUMATICA_CONCURRENT} at once (licence), "
        "2 req per payment (create, release)",
        concurrent=ACUMATICA_CONCURRENT,
        session_of=fake_acumatica.session_of,
    ),
}


@dataclass
class _Sliding:
    window: Window
    sent: deque[float] = field(default_factory=deque)

    def room(self, now: float, n: int) -> bool:
        while self.sent and self.sent[0] <= now - self.window.seconds:
            self.sent.popleft()
        return len(self.sent) + n <= self.window.limit

    def count(self, now: float, n: int) -> None:
        self.sent.extend([now] * n)


class VendorLimits:
    """Admits a request if every window of the vendor has room for what it counts."""

    def __init__(self, spec: VendorSpec) -> None:
        self._all = [_Sliding(w) for w in spec.windows]
        self._batch = [_Sliding(w) for w in spec.batch_windows]
        self.operations = 0

    def admit(self, request: httpx.Request) -> bool:
        """Count the request and say whether it is within the limits (else a 429)."""
        now = time.monotonic()
        path = request.url.path
        n = _operations(request) if path.endswith("/$batch") else 1
        batch = self._batch if path.endswith("/batch") else []
        if not all(s.room(now, n) for s in self._all) or not all(s.room(now, 1) for s in batch):
            return False
        for s in self._all:
            s.count(now, n)
        for s in batch:
            s.count(now, 1)
        self.operations += n
        return True


def _operations(request: httpx.Request) -> int:
    """How many operations an OData JSON `$batch` carries."""
    try:
        return max(len(json.loads(request.content)["requests"]), 1)
    except (ValueError, KeyError, TypeError):
        return 1
