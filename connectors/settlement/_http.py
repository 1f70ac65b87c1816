"""GET with retries for the processors' APIs: reads only, so every failure is safe to retry.

429 (honouring Retry-After, capped), 5xx and transport errors are retried with jittered
exponential backoff; after the last attempt they become a TransientConnectorError (the
next cycle tries again). 401/403 and other 4xx are permanent: a wrong or under-privileged
key does not heal by itself. Messages never carry the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_random_exponential

from arbridge.connectors.errors import PermanentConnectorError, TransientConnectorError

TOO_MANY = 429
SERVER_ERROR = 500
CLIENT_ERROR = 400
MAX_WAIT = 30.0


class _Again(Exception):
    def __init__(self, text: str, wait: float | None) -> None:
        super().__init__(text)
        self.wait = wait


def get_json(
    http: httpx.Client,
    connector: str,
    url: str,
    *,
    headers: Mapping[str, str],
    params: Any = None,
    attempts: int = 5,
) -> tuple[Any, httpx.Headers]:
    """The JSON body and headers of a GET, retried while the failure is transient."""
    retrying = Retrying(
        stop=stop_after_attempt(attempts),
        wait=_wait,
        retry=retry_if_exception_type(_Again),
        reraise=True,
    )
    try:
        return retrying(_once, http, connector, url, headers, params)
    except _Again as exc:
        raise TransientConnectorError(connector, f"{exc} (after {attempts} attempts)") from None


def _wait(state: Any) -> float:
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, _Again) and exc.wait is not None:
        return min(exc.wait, MAX_WAIT)
    return float(wait_random_exponential(multiplier=0.5, max=MAX_WAIT)(state))


def _once(
    http: httpx.Client, connector: str, url: str, headers: Mapping[str, str], params: Any
) -> tuple[Any, httpx.Headers]:
    path = httpx.URL(url).path
    try:
        response = http.get(url, headers=dict(headers), params=params)
    except httpx.TransportError as exc:
        raise _Again(f"GET {path}: {type(exc).__name__}", None) from None
    status = response.status_code
    if status == TOO_MANY or status >= SERVER_ERROR:
        raise _Again(f"GET {path}: HTTP {status}", _retry_after(response))
    if status >= CLIENT_ERROR:
        raise PermanentConnectorError(
            connector, f"GET {path}: HTTP {status} {_error_text(response)}"
        )
    try:
        return response.json(), response.headers
    except ValueError:
        raise TransientConnectorError(connector, f"GET {path}: the answer is not JSON") from None


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(float(response.headers.get("retry-after", "")), 0.0)
    except ValueError:
        return None


def _error_text(response: httpx.Response) -> str:
    """The vendor's own short message (Stripe: error.message; Shopify: errors), never headers."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        error = body.get("error") or body.get("errors")
        if isinstance(error, dict):
            return str(error.get("message", ""))[:200]
        if isinstance(error, str):
            return error[:200]
    return ""
