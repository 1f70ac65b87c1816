"""The small HTTP toolkit the ERP connectors share: client, retries, rate limit, tokens."""

from arbridge.connectors.erp._http import jsonbody
from arbridge.connectors.erp._http.client import Authenticator, ErrorMapper, HttpClient, RetryPolicy
from arbridge.connectors.erp._http.errors import HttpFailure, Verdict, classify_status
from arbridge.connectors.erp._http.ratelimit import (
    Adaptive,
    AdaptiveRateLimiter,
    LimiterFactory,
    RateLimiter,
    RequestLimiter,
    Window,
)
from arbridge.connectors.erp._http.tokens import (
    ClientCredentialsAuth,
    FileRefreshTokenStore,
    RefreshTokenStore,
    RotatingRefreshAuth,
    TokenSet,
)

__all__ = [
    "Adaptive",
    "AdaptiveRateLimiter",
    "Authenticator",
    "ClientCredentialsAuth",
    "ErrorMapper",
    "FileRefreshTokenStore",
    "HttpClient",
    "HttpFailure",
    "LimiterFactory",
    "RateLimiter",
    "RefreshTokenStore",
    "RequestLimiter",
    "RetryPolicy",
    "RotatingRefreshAuth",
    "TokenSet",
    "Verdict",
    "Window",
    "classify_status",
    "jsonbody",
]
