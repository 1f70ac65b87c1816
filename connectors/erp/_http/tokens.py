"""OAuth2 tokens: client-credentials cache (Business Central) and rotating refresh tokens (QBO).

Tokens are refreshed a margin before they expire. A rotated refresh token is
persisted (atomically) before the new access token is used: losing it would lock
the connector out until someone re-authorizes the app.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx

from arbridge.connectors.errors import (
    ConnectorError,
    PermanentConnectorError,
    TransientConnectorError,
)

REFRESH_MARGIN = 300.0
"""Seconds before expiry at which a token is renewed."""


@dataclass(frozen=True, slots=True)
class TokenSet:
    """An access token and when (clock seconds) it stops working."""

    access_token: str
    expires_at: float

    def fresh(self, now: float, margin: float = REFRESH_MARGIN) -> bool:
        """Whether the token is still good for at least `margin` seconds."""
        return now < self.expires_at - margin


class RefreshTokenStore(Protocol):
    """Where a rotating refresh token lives between runs (the composition root picks one)."""

    def load(self) -> str:
        """The newest refresh token. Raises PermanentConnectorError if there is none."""
        ...

    def save(self, token: str) -> None:
        """Persist a new refresh token durably before it is relied on."""
        ...


class FileRefreshTokenStore:
    """A refresh token in a file of its own, replaced atomically (temp + fsync + rename)."""

    def __init__(self, path: Path, *, connector: str) -> None:
        self.path = path
        self._connector = connector

    def load(self) -> str:
        """The token in the file."""
        try:
            token = self.path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            token = ""
        if not token:
            raise PermanentConnectorError(
                self._connector, f"no refresh token in {self.path}; authorize the app first"
            )
        return token

    def save(self, token: str) -> None:
        """Write the token to a temp file, fsync it, rename it over the old one, fsync the folder."""
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(token)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


DESCRIPTION_LEN = 300
REAUTHORIZE = (
    "the refresh token in {where} was refused (invalid_grant: expired, revoked or already "
    "rotated); re-authorize the app (Intuit's OAuth 2.0 Playground or your connect flow), then "
    "exchange the code: curl -u CLIENT_ID:CLIENT_SECRET -d grant_type=authorization_code "
    "-d code=CODE -d redirect_uri=REDIRECT_URI {url} and write its refresh_token to {where}"
)


@dataclass(frozen=True, slots=True)
class TokenEndpoint:
    """Where tokens come from, and what must never appear in an error about it."""

    connector: str
    http: httpx.Client
    url: str
    what: str
    secrets: tuple[str, ...] = ()

    def post(self, **kwargs: object) -> Mapping[str, object]:
        """POST the form; the JSON answer, or the vendor's own refusal as a ConnectorError."""
        try:
            response = self.http.post(self.url, **kwargs)  # type: ignore[arg-type]  # httpx types each keyword
        except httpx.TransportError as exc:
            raise TransientConnectorError(
                self.connector, f"{self.what} to {self.url}: no answer ({type(exc).__name__})"
            ) from None
        if response.status_code != 200:  # noqa: PLR2004 - the one success status
            raise self._error(response)
        body: Mapping[str, object] = response.json()
        return body

    def _error(self, response: httpx.Response) -> ConnectorError:
        """The endpoint's refusal: URL, status, OAuth `error` and the vendor's description."""
        try:
            body = response.json()
            code, description = str(body.get("error", "")), str(body.get("error_description", ""))
        except (ValueError, AttributeError):
            code, description = "", ""
        description = " ".join(description.split())[:DESCRIPTION_LEN]
        text = f"{self.what} to {self.url} failed: HTTP {response.status_code} {code}".strip()
        text += f" ({description})" if description else ""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        if response.status_code == 429 or response.status_code >= 500:  # noqa: PLR2004
            return TransientConnectorError(self.connector, text)
        return PermanentConnectorError(self.connector, text)


class ClientCredentialsAuth:
    """Entra ID client-credentials tokens, cached and renewed before they expire."""

    def __init__(
        self,
        *,
        connector: str,
        http: httpx.Client,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._endpoint = TokenEndpoint(
            connector, http, token_url, "token request", (client_secret,)
        )
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "scope": scope,
        }
        self._clock = clock
        self._token: TokenSet | None = None
        self.fetched = 0

    def headers(self) -> Mapping[str, str]:
        """A bearer header with a token good for at least the refresh margin."""
        now = self._clock()
        if self._token is None or not self._token.fresh(now):
            body = self._endpoint.post(data=self._form)
            self._token = TokenSet(str(body["access_token"]), now + float(str(body["expires_in"])))
            self.fetched += 1
        return {"Authorization": f"Bearer {self._token.access_token}"}

    def invalidate(self) -> None:
        """Forget the cached token."""
        self._token = None


class RotatingRefreshAuth:
    """OAuth2 access tokens from a refresh token that may change on every refresh."""

    def __init__(
        self,
        *,
        connector: str,
        http: httpx.Client,
        token_url: str,
        client_id: str,
        client_secret: str,
        store: RefreshTokenStore,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._endpoint = TokenEndpoint(
            connector, http, token_url, "token refresh", (client_secret,)
        )
        self._basic = httpx.BasicAuth(client_id, client_secret)
        self._store, self._clock = store, clock
        self._token: TokenSet | None = None
        self.refreshed = 0

    def headers(self) -> Mapping[str, str]:
        """A bearer header, refreshing (and persisting the rotated refresh token) when due."""
        now = self._clock()
        if self._token is None or not self._token.fresh(now):
            self._refresh(now)
        assert self._token is not None
        return {"Authorization": f"Bearer {self._token.access_token}"}

    def _refresh(self, now: float) -> None:
        form = {"grant_type": "refresh_token", "refresh_token": self._store.load()}
        try:
            body = self._endpoint.post(
                data=form, auth=self._basic, headers={"Accept": "application/json"}
            )
        except PermanentConnectorError as exc:
            if "invalid_grant" not in exc.message:
                raise
            where = getattr(self._store, "path", "the refresh token file")
            hint = REAUTHORIZE.format(where=where, url=self._endpoint.url)
            raise PermanentConnectorError(exc.connector, f"{exc.message}; {hint}") from None
        rotated = str(body.get("refresh_token") or "")
        if rotated and rotated != form["refresh_token"]:
            self._store.save(rotated)
        self._token = TokenSet(str(body["access_token"]), now + float(str(body["expires_in"])))
        self.refreshed += 1

    def invalidate(self) -> None:
        """Forget the access token (the refresh token stays in the store)."""
        self._token = None
