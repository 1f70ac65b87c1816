"""The shared HTTP client: retries only the transient class, honours Retry-After, redacts secrets."""

from __future__ import annotations

import httpx
import pytest
import respx

from arbridge.connectors.erp import business_central
from arbridge.connectors.erp._http import HttpClient, RateLimiter, RetryPolicy, Window
from arbridge.connectors.errors import (
    PermanentConnectorError,
    RecordRejectedError,
    TransientConnectorError,
)

URL = "https://erp.test/api/thing"


def _client(sleeps: list[float], secrets: tuple[str, ...] = ()) -> HttpClient:
    return HttpClient(
        connector="bc",
        client=httpx.Client(timeout=5.0),
        map_error=business_central.map_error,
        retry=RetryPolicy(attempts=4, base=0.5, cap=30.0, sleep=sleeps.append),
        secrets=secrets,
    )


def _err(
    status: int, code: str = "Unknown", headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(
        status, json={"error": {"code": code, "message": "busy"}}, headers=headers
    )


@respx.mock
def test_429_is_retried_after_the_servers_retry_after() -> None:
    route = respx.get(URL).mock(
        side_effect=[_err(429, headers={"Retry-After": "12"}), httpx.Response(200, json={})]
    )
    sleeps: list[float] = []
    assert _client(sleeps).request("GET", URL).status_code == 200
    assert sleeps == [12.0]
    assert route.call_count == 2


@respx.mock
def test_retry_after_is_capped() -> None:
    respx.get(URL).mock(
        side_effect=[_err(429, headers={"Retry-After": "3600"}), httpx.Response(200, json={})]
    )
    sleeps: list[float] = []
    _client(sleeps).request("GET", URL)
    assert sleeps == [30.0]


@respx.mock
def test_5xx_backs_off_with_jitter_then_gives_up_as_transient() -> None:
    route = respx.get(URL).mock(return_value=_err(503))
    sleeps: list[float] = []
    with pytest.raises(TransientConnectorError, match="HTTP 503"):
        _client(sleeps).request("GET", URL)
    assert route.call_count == 4
    assert len(sleeps) == 3
    assert all(0 <= s <= 30.0 for s in sleeps)


@respx.mock
def test_read_timeout_is_retried_for_reads() -> None:
    route = respx.get(URL).mock(
        side_effect=[httpx.ReadTimeout("slow"), httpx.Response(200, json={})]
    )
    assert _client([]).request("GET", URL).status_code == 200
    assert route.call_count == 2


@respx.mock
def test_a_write_with_an_unknown_outcome_is_not_repeated() -> None:
    """A timed-out or 5xx create is reported, not resent: the gateway must look first."""
    route = respx.post(URL).mock(side_effect=[httpx.ReadTimeout("slow"), _err(502)])
    client = _client([])
    with pytest.raises(TransientConnectorError, match="outcome unknown"):
        client.request("POST", URL, json={}, idempotent=False)
    with pytest.raises(TransientConnectorError, match="HTTP 502"):
        client.request("POST", URL, json={}, idempotent=False)
    assert route.call_count == 2


@respx.mock
def test_a_write_throttled_with_429_is_retried() -> None:
    route = respx.post(URL).mock(side_effect=[_err(429), httpx.Response(201, json={})])
    assert _client([]).request("POST", URL, json={}, idempotent=False).status_code == 201
    assert route.call_count == 2


@respx.mock
def test_rejections_and_permanent_errors_are_not_retried() -> None:
    route = respx.get(URL).mock(
        side_effect=[_err(400, "Application_DialogException"), _err(403, "Authorization_Denied")]
    )
    client = _client([])
    with pytest.raises(RecordRejectedError):
        client.request("GET", URL)
    with pytest.raises(PermanentConnectorError):
        client.request("GET", URL)
    assert route.call_count == 2


@respx.mock
def test_secrets_are_redacted_from_error_texts() -> None:
    body = {
        "error": {"code": "Application_DialogException", "message": "bad secret hunter2 echoed"}
    }
    respx.get(URL).mock(return_value=httpx.Response(400, json=body))
    with pytest.raises(RecordRejectedError) as caught:
        _client([], secrets=("hunter2",)).request("GET", URL)
    assert "hunter2" not in str(caught.value)
    assert "***" in caught.value.message


def test_rate_limiter_spreads_requests_over_every_window() -> None:
    """Two windows (10/s and 500/min, as QBO): 600 requests need 60+ virtual seconds."""
    now = [0.0]
    limiter = RateLimiter(
        [Window(500, 60.0), Window(10, 1.0)],
        clock=lambda: now[0],
        sleep=lambda s: now.__setitem__(0, now[0] + s),
    )
    times = []
    for _ in range(600):
        limiter.acquire()
        times.append(now[0])
    assert times[9] == 0.0
    assert times[10] == pytest.approx(1.0)
    assert times[499] < 60.0 <= times[500]
    for i in range(len(times) - 10):
        assert times[i + 10] - times[i] >= 1.0 - 1e-9


def test_a_window_must_make_sense() -> None:
    with pytest.raises(ValueError, match="limit"):
        Window(0, 60.0)


@respx.mock
def test_retries_are_logged_without_secrets_or_tokens() -> None:
    from structlog.testing import capture_logs

    body = {"error": {"code": "Unknown", "message": "busy for token hunter2"}}
    respx.get(URL).mock(
        side_effect=[
            httpx.Response(503, json=body),
            httpx.Response(503, json=body),
            httpx.Response(200, json={}),
        ]
    )
    with capture_logs() as logs:
        _client([], secrets=("hunter2",)).request(
            "GET", URL, headers={"Authorization": "Bearer hunter2"}
        )
    assert [entry["event"] for entry in logs] == ["erp_http_retry", "erp_http_retry"]
    assert "hunter2" not in repr(logs)
