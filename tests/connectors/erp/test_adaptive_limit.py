"""The adaptive rate limiter: under the limit at first, slower after a 429, back up after."""

from __future__ import annotations

import random
from collections import deque

import httpx
import respx

from arbridge.connectors.erp import business_central
from arbridge.connectors.erp._http import AdaptiveRateLimiter, HttpClient, RetryPolicy, Window

URL = "https://erp.test/api/thing"


class Clock:
    """Virtual seconds that pass only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _sent_within_first_second(limiter: AdaptiveRateLimiter, clock: Clock, n: int) -> int:
    sent = 0
    for _ in range(n):
        limiter.acquire()
        if clock.now < 1.0:
            sent += 1
    return sent


def test_it_starts_under_the_vendors_window() -> None:
    clock = Clock()
    limiter = AdaptiveRateLimiter([Window(100, 1.0)], clock=clock, sleep=clock.sleep)
    assert _sent_within_first_second(limiter, clock, 150) == 90


def test_a_429_slows_it_down_and_successes_bring_it_back() -> None:
    clock = Clock()
    limiter = AdaptiveRateLimiter([Window(100, 1.0)], clock=clock, sleep=clock.sleep)
    limiter.throttled()
    assert _sent_within_first_second(limiter, clock, 100) == 76  # 100 x 0.9 x 0.85
    for _ in range(50):
        limiter.succeeded()
    assert limiter.share == 0.98  # the ceiling leaves a margin under the vendor's limit
    for _ in range(20):
        limiter.throttled()
    assert limiter.share == 0.2  # never below the floor


def _client(limiter: AdaptiveRateLimiter, clock: Clock) -> HttpClient:
    return HttpClient(
        connector="bc",
        client=httpx.Client(timeout=5.0),
        map_error=business_central.map_error,
        limiter=limiter,
        retry=RetryPolicy(attempts=4, sleep=clock.sleep),
    )


@respx.mock
def test_the_client_tells_the_limiter_of_429s_and_successes() -> None:
    throttled = httpx.Response(429, json={"error": {"code": "Unknown", "message": "slow down"}})
    respx.get(URL).mock(side_effect=[throttled, throttled, httpx.Response(200, json={})])
    clock = Clock()
    limiter = AdaptiveRateLimiter([Window(100, 1.0)], clock=clock, sleep=clock.sleep)

    assert _client(limiter, clock).request("GET", URL).status_code == 200

    assert limiter.throttles == 2
    assert round(limiter.share, 4) == round(0.9 * 0.85 * 0.85 + 0.01, 4)


@respx.mock
def test_a_request_with_its_own_budget_waits_for_both() -> None:
    respx.post(URL).mock(return_value=httpx.Response(200, json={}))
    clock = Clock()
    batches = AdaptiveRateLimiter(
        [Window(2, 60.0)], clock=clock, sleep=clock.sleep, start=1.0, ceiling=1.0
    )
    client = _client(
        AdaptiveRateLimiter([Window(1000, 1.0)], clock=clock, sleep=clock.sleep), clock
    )

    for _ in range(3):
        client.request("POST", URL, budget=batches)

    assert clock.now >= 60.0  # the third batch waited for the batch window


@respx.mock
def test_a_weighted_request_counts_each_operation() -> None:
    respx.post(URL).mock(return_value=httpx.Response(200, json={}))
    clock = Clock()
    limiter = AdaptiveRateLimiter(
        [Window(100, 60.0)], clock=clock, sleep=clock.sleep, start=1.0, ceiling=1.0
    )
    client = _client(limiter, clock)

    client.request("POST", URL, weight=60)
    assert clock.now == 0.0
    client.request("POST", URL, weight=60)  # 120 operations: the window of 100 makes it wait

    assert clock.now >= 60.0


def _vendor_run(
    limiter: AdaptiveRateLimiter, clock: Clock, real: int, stray: int
) -> tuple[int, int]:
    """Ten virtual minutes against a vendor allowing `real` a minute (sliding), which also
    answers every `stray`-th request 429 at random; (requests accepted, 429s)."""
    rng = random.Random(7)
    taken: deque[float] = deque()
    accepted = throttled = 0
    while clock.now < 600.0:
        limiter.acquire()
        clock.sleep(0.01)
        while taken and taken[0] <= clock.now - 60.0:
            taken.popleft()
        if len(taken) >= real or rng.randrange(stray) == 0:
            throttled += 1
            limiter.throttled()
            clock.sleep(1.0)  # the client's wait before trying again
            continue
        taken.append(clock.now)
        accepted += 1
        limiter.succeeded()
    return accepted, throttled


def test_stray_429s_cost_a_short_slowdown_not_a_third_of_the_rate() -> None:
    """One request in 40 answered 429 at random (a flaky proxy): most of the window is still used."""
    clock = Clock()
    limiter = AdaptiveRateLimiter([Window(150, 60.0)], clock=clock, sleep=clock.sleep)
    accepted, _throttled = _vendor_run(limiter, clock, real=150, stray=40)
    assert accepted >= 0.8 * 150 * 10


def test_a_vendor_stricter_than_configured_is_met_at_its_own_rate() -> None:
    """Configured 150 a minute, the vendor takes 90: it settles there with few 429s."""
    clock = Clock()
    limiter = AdaptiveRateLimiter([Window(150, 60.0)], clock=clock, sleep=clock.sleep)
    accepted, throttled = _vendor_run(limiter, clock, real=90, stray=10**9)
    assert accepted >= 0.9 * 90 * 10
    assert throttled <= 0.1 * (accepted + throttled)
