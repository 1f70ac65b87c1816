"""One HTTP client for every ERP connector: timeouts, rate limit, retries, auth, error mapping.

Only the transient class is retried (429 honouring Retry-After, 502/503/504, 408,
timeouts), with jittered exponential backoff and a cap. A request that is not
idempotent (creating a payment without a vendor idempotency key) is retried only
when the vendor certainly did not process it (429, or a connection never made):
after an unknown outcome the gateway must look before posting again.
"""

from __future__ import annotations

import dataclasses
import email.utils
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx
import structlog
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_random_exponential

from arbridge.connectors.erp._http import jsonbody
from arbridge.connectors.erp._http.errors import HttpFailure, Verdict
from arbridge.connectors.erp._http.ratelimit import Adaptive, RateLimiter, RequestLimiter

log = structlog.get_logger("arbridge.erp.http")

ErrorMapper = Callable[[httpx.Response], HttpFailure]
"""Turns a vendor's error response into a verdict and a safe message."""

TOO_MANY = 429
UNAUTHORIZED = 401
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0, pool=10.0)


class Authenticator(Protocol):
    """Supplies auth headers; forgets a token the server refused."""

    def headers(self) -> Mapping[str, str]:
        """Headers to send (may fetch or refresh a token)."""
        ...

    def invalidate(self) -> None:
        """The server answered 401: drop the cached token so the next call gets a new one."""
        ...


class NoAuth:
    """For calls that carry their own credentials (cookie sessions)."""

    def headers(self) -> Mapping[str, str]:
        """No headers."""
        return {}

    def invalidate(self) -> None:
        """Nothing cached."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try: attempts, backoff base and cap (seconds), and how to sleep."""

    attempts: int = 5
    base: float = 0.5
    cap: float = 60.0
    throttle_base: float = 1.0
    """First wait after a 429 that names none (then doubled per 429 in a row)."""
    sleep: Callable[[float], None] = field(default=time.sleep)


class _Retry(Exception):
    def __init__(self, failure: HttpFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The Retry-After header in seconds (number or HTTP date), if present and sane."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


class HttpClient:
    """A vendor-neutral JSON client; one per connector instance."""

    def __init__(
        self,
        *,
        connector: str,
        client: httpx.Client,
        map_error: ErrorMapper,
        auth: Authenticator | None = None,
        limiter: RequestLimiter | None = None,
        retry: RetryPolicy | None = None,
        secrets: Sequence[str] = (),
    ) -> None:
        self.connector = connector
        self.http = client
        self._map_error = map_error
        self._auth = auth or NoAuth()
        self._limiter = limiter or RateLimiter(())
        self._retry = retry or RetryPolicy()
        self._secrets = tuple(s for s in secrets if s)
        self._throttled = 0
        """429s without Retry-After in a row (each one doubles the next wait)."""
        self.requests = 0
        """Requests sent (for the bench)."""

    def request(
        self,
        method: str,
        url: str,
        *,
        idempotent: bool = True,
        ok: Sequence[int] = (200, 201, 202, 204),
        budget: RequestLimiter | None = None,
        weight: int = 1,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send a request with retries; return the response or raise a ConnectorError.

        Args:
            method: HTTP method.
            url: absolute, or relative to the client's base URL.
            idempotent: whether repeating the request after an unknown outcome is safe.
            ok: statuses that are a success for this call.
            budget: a second limit this kind of request counts against (a vendor's batch
                limit); it hears of 429s and successes as the client's own limiter does.
            weight: how many requests this one counts as against the client's limiter (the
                operations of a vendor batch that counts each of them).
            **kwargs: passed to httpx (params, json, data, headers).
        """
        retrying = Retrying(
            retry=retry_if_exception_type(_Retry),
            stop=stop_after_attempt(self._retry.attempts),
            wait=self._wait,
            sleep=self._retry.sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._once(
                        method, url, idempotent, ok, kwargs, budget=budget, weight=weight
                    )
        except _Retry as exc:
            raise self._error(exc.failure) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, state: Any) -> float:
        exc = state.outcome.exception()
        failure = exc.failure if isinstance(exc, _Retry) else None
        if failure is not None and failure.retry_after is not None:
            return min(failure.retry_after, self._retry.cap)
        if failure is not None and failure.status == TOO_MANY:
            return self._throttle_wait()
        backoff = wait_random_exponential(multiplier=self._retry.base, max=self._retry.cap)
        return float(backoff(state))

    def _throttle_wait(self) -> float:
        """A 429 that named no wait: 1 s, doubling with every 429 in a row, up to the cap.

        One stray 429 costs seconds, not the vendor's worst-case minute; a realm that
        keeps throttling is soon waited out at the cap. Any success starts over.
        """
        wait: float = min(self._retry.throttle_base * 2.0**self._throttled, self._retry.cap)
        self._throttled += 1
        return wait

    def _once(
        self,
        method: str,
        url: str,
        idempotent: bool,
        ok: Sequence[int],
        kwargs: dict[str, Any],
        *,
        budget: RequestLimiter | None = None,
        weight: int = 1,
    ) -> httpx.Response:
        limiters = [self._limiter] * max(weight, 1) + ([budget] if budget is not None else [])
        response = self._send(method, url, idempotent, kwargs, limiters)
        if response.status_code == UNAUTHORIZED:
            self._auth.invalidate()
            response = self._send(method, url, idempotent, kwargs, limiters)
        _tell(limiters, response.status_code, ok)
        if response.status_code in ok:
            self._throttled = 0
            return response
        failure = self._map_error(response)
        if failure.verdict is Verdict.TRANSIENT and (
            idempotent or response.status_code == TOO_MANY
        ):
            log.info("erp_http_retry", connector=self.connector, status=response.status_code)
            raise _Retry(failure)
        raise self._error(failure)

    def _send(
        self,
        method: str,
        url: str,
        idempotent: bool,
        kwargs: dict[str, Any],
        limiters: Sequence[RequestLimiter],
    ) -> httpx.Response:
        headers = {**self._auth.headers(), **kwargs.get("headers", {})}
        rest = {k: v for k, v in kwargs.items() if k not in ("headers", "json")}
        if "json" in kwargs:
            rest["content"] = jsonbody.dumps(kwargs["json"])
            headers.setdefault("Content-Type", "application/json")
        for limiter in limiters:
            limiter.acquire()
        self.requests += 1
        try:
            return self.http.request(method, url, headers=headers, **rest)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise _Retry(self._transport_failure(exc)) from None
        except httpx.TransportError as exc:
            failure = self._transport_failure(exc)
            if idempotent:
                raise _Retry(failure) from None
            raise self._error(failure) from None

    def _transport_failure(self, exc: httpx.TransportError) -> HttpFailure:
        kind = type(exc).__name__
        return HttpFailure(
            Verdict.TRANSIENT, None, kind, "no answer from the ERP (outcome unknown)"
        )

    def _error(self, failure: HttpFailure) -> Exception:
        return dataclasses.replace(failure, message=self.redact(failure.message)).to_error(
            self.connector
        )

    def redact(self, text: str) -> str:
        """Text with every known secret replaced by ***."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


def _tell(limiters: Sequence[RequestLimiter], status: int, ok: Sequence[int]) -> None:
    """Let adaptive limiters hear of a 429 or a success (once each)."""
    for limiter in {id(x): x for x in limiters}.values():
        if not isinstance(limiter, Adaptive):
            continue
        if status == TOO_MANY:
            limiter.throttled()
        elif status in ok:
            limiter.succeeded()
