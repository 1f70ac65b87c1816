"""Building a Business Central gateway: its HTTP client, token cache and rate limit."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from arbridge.connectors.erp._http import (
    AdaptiveRateLimiter,
    ClientCredentialsAuth,
    LimiterFactory,
    RequestLimiter,
    RetryPolicy,
    Window,
)
from arbridge.connectors.erp._http.gateway import rest_client
from arbridge.connectors.erp.business_central import wire
from arbridge.connectors.erp.business_central.gateway import (
    API_HOST,
    SCOPE,
    TOKEN_URL,
    BusinessCentralErpGateway,
)
from arbridge.connectors.erp.business_central.reversal import CorrectionSettings
from arbridge.connectors.erp.business_central.writeoff import WriteOffPlan


def build(
    *,
    name: str,
    tenant: str,
    environment: str,
    company: str,
    client_id: str,
    client_secret: str,
    journal_code: str = "CASHRCPT",
    currency: str = "USD",
    post_journal: bool = False,
    requests_per_minute: int = 1200,
    timeout: float = 60.0,
    api_url: str = API_HOST,
    token_url: str = TOKEN_URL,
    retry: RetryPolicy | None = None,
    limiter: RequestLimiter | None = None,
    limiter_factory: LimiterFactory = AdaptiveRateLimiter,
    transport: httpx.BaseTransport | None = None,
    clock: Callable[[], float] = time.monotonic,
    payment_discounts: bool = False,
    write_offs: WriteOffPlan | None = None,
    corrections: CorrectionSettings | None = None,
) -> BusinessCentralErpGateway:
    """A gateway with its own HTTP client, token cache and rate limit (6,000 per 5 min by default)."""
    api = rest_client(
        connector=name,
        base_url=f"{api_url.rstrip('/')}/v2.0/{tenant}/{environment}/api/v2.0/",
        timeout=timeout,
        map_error=wire.map_error,
        windows=[Window(requests_per_minute, 60.0), Window(6000, 300.0)],
        limiter=limiter,
        limiter_factory=limiter_factory,
        retry=retry,
        secrets=(client_secret,),
        transport=transport,
        auth=lambda http: ClientCredentialsAuth(
            connector=name,
            http=http,
            token_url=token_url.replace("{tenant}", tenant),
            client_id=client_id,
            client_secret=client_secret,
            scope=SCOPE,
            clock=clock,
        ),
    )
    return BusinessCentralErpGateway(
        name=name,
        api=api,
        company=company,
        journal_code=journal_code,
        currency=currency,
        post_journal=post_journal,
        payment_discounts=payment_discounts,
        write_offs=write_offs,
        corrections=corrections,
    )
