"""HTTP to AvaTax REST v2: Basic auth, retries on 429/5xx, paging, and errors mapped to our classes.

Wire shapes follow `shared/reference/erp-and-tax-apis.md` §4: list responses are
`{"@recordsetCount", "value", "@nextLink"}`; errors are
`{"error": {"code", "message", "target", "details": [...]}}`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import structlog
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)
from tenacity.wait import WaitBaseT

from arbridge.connectors.errors import (
    ConnectorError,
    PermanentConnectorError,
    RecordRejectedError,
    TransientConnectorError,
)

log = structlog.get_logger("arbridge.connectors.avatax")

BASE_URLS = {
    "production": "https://rest.avatax.com",
    "sandbox": "https://sandbox-rest.avatax.com",
}
PAGE_SIZE = 1000  # $top default and maximum
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_AUTH_STATUSES = frozenset({401, 403})
_NOT_SET_UP = frozenset({"CertificatesNotSetup", "CertCaptureNotConfiguredError"})
_THROTTLED = frozenset({"RateLimitExceededError"})


class _Retry(TransientConnectorError):
    """A failure worth another attempt (429, 5xx, 408, a dropped connection)."""

    def __init__(self, connector: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(connector, message)
        self.retry_after = retry_after


MAX_RETRY_AFTER = 120.0


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds from a numeric Retry-After header (capped), else None."""
    value = response.headers.get("retry-after", "")
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return None


class AvaTaxHttp:
    """One AvaTax account: sends requests, retries what is safe, and pages through lists."""

    def __init__(
        self,
        *,
        name: str,
        base_url: str,
        account_id: str,
        license_key: str,
        attempts: int = 4,
        wait: WaitBaseT | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._name = name
        self._attempts = attempts
        self._backoff = wait if wait is not None else wait_exponential(multiplier=1, max=30)
        self._sleep = sleep
        self._client = httpx.Client(
            base_url=base_url,
            auth=httpx.BasicAuth(account_id, license_key),
            headers={"X-Avalara-Client": "arbridge; 0.1; python; 2; arbridge"},
            timeout=timeout,
            transport=transport,
        )
        self._host = self._client.base_url.host

    def close(self) -> None:
        """Close pooled connections."""
        self._client.close()

    def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        """GET a JSON document (retried on 429/5xx/connection errors)."""
        return self._call("GET", path, params=params, idempotent=True)

    def post(self, path: str, body: Any, params: dict[str, str] | None = None) -> Any:
        """POST JSON; retried only on 429, since AvaTax creates have no idempotency key."""
        return self._call("POST", path, params=params, json=body, idempotent=False)

    def pages(self, path: str, params: dict[str, str]) -> Iterator[dict[str, Any]]:
        """Every record of a list endpoint, following `@nextLink` page by page."""
        query: dict[str, str] | None = {"$top": str(PAGE_SIZE), "$skip": "0", **params}
        url = path
        while True:
            body = self.get(url, query)
            if not isinstance(body, dict) or not isinstance(body.get("value"), list):
                raise PermanentConnectorError(self._name, f"{path}: not a list response")
            yield from body["value"]
            next_link = body.get("@nextLink")
            if not next_link or not body["value"]:
                return
            url, query = self._same_host(str(next_link)), None

    def _same_host(self, link: str) -> str:
        """Refuse a next link to another host: credentials go only to the configured one."""
        host = httpx.URL(link).host
        if host and host != self._host:
            raise PermanentConnectorError(self._name, f"@nextLink points at another host: {host}")
        return link

    def _call(self, method: str, path: str, *, idempotent: bool, **kwargs: Any) -> Any:
        retrying = Retrying(
            stop=stop_after_attempt(self._attempts),
            wait=self._wait,
            sleep=self._sleep,
            retry=retry_if_exception_type(_Retry),
            reraise=True,
        )
        try:
            return retrying(self._once, method, path, idempotent=idempotent, **kwargs)
        except _Retry as exc:
            raise TransientConnectorError(self._name, exc.message) from exc

    def _wait(self, state: RetryCallState) -> float:
        """The server's Retry-After when it sent one, else exponential backoff."""
        failure = state.outcome.exception() if state.outcome is not None else None
        if isinstance(failure, _Retry) and failure.retry_after is not None:
            return failure.retry_after
        return float(self._backoff(state))

    def _once(self, method: str, path: str, *, idempotent: bool, **kwargs: Any) -> Any:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            error = f"{method} {_path_of(path)}: {type(exc).__name__}"
            if idempotent:
                raise _Retry(self._name, error) from exc
            raise TransientConnectorError(self._name, error) from exc
        log.debug(
            "avatax_response",
            connector=self._name,
            method=method,
            path=_path_of(path),
            status=response.status_code,
            correlation_id=response.headers.get("x-correlation-id"),
        )
        if response.is_success:
            return _json(self._name, response)
        raise self._error(method, path, response, idempotent=idempotent)

    def _error(
        self, method: str, path: str, response: httpx.Response, *, idempotent: bool
    ) -> ConnectorError:
        status = response.status_code
        code, message = _error_body(response)
        text = f"{method} {_path_of(path)} -> {status} {code}: {message}"
        if code in _NOT_SET_UP:
            return PermanentConnectorError(self._name, f"{text} (certificates not set up)")
        if status in _AUTH_STATUSES:
            return PermanentConnectorError(self._name, text)
        if status == httpx.codes.TOO_MANY_REQUESTS or code in _THROTTLED:
            # Refused before anything was done: safe to retry even a create.
            return _Retry(self._name, text, _retry_after(response))
        if status in _RETRY_STATUSES:
            return (
                _Retry(self._name, text)
                if idempotent
                else TransientConnectorError(self._name, text)
            )
        if response.is_client_error:
            return RecordRejectedError(self._name, text)
        return TransientConnectorError(self._name, text)


def _path_of(url: str) -> str:
    """The path of a URL, without its query (which may carry customer data)."""
    return httpx.URL(url).path


def _json(name: str, response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise PermanentConnectorError(
            name, f"{_path_of(str(response.url))}: response is not JSON"
        ) from None


def _error_body(response: httpx.Response) -> tuple[str, str]:
    """The AvaTax error code and message, or the HTTP reason when the body is not one."""
    try:
        error = response.json().get("error") or {}
        return str(error.get("code") or "error"), str(error.get("message") or "")
    except (ValueError, AttributeError):
        return "error", response.reason_phrase
