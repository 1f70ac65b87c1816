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


def _token_error(connector: str, response: httpx.Response, what: str) -> ConnectorError:
    """A token endpoint refusal, naming only the OAuth `error` code (never the body)."""
    try:
        code = str(response.json().get("error", ""))
    except ValueError:
        code = ""
    text = f"{what} failed: HTTP {response.status_code} {code}".strip()
    if response.status_code == 429 or response.status_code >= 500:  # noqa: PLR2004
        return TransientConnectorError(connector, text)
    return PermanentConnectorError(connector, text)


def _post_token(
    connector: str,
    http: httpx.Client,
    url: str,
    what: str,
    *,
    data: Mapping[str, str],
    auth: httpx.Auth | None = None,
    headers: Mapping[str, str] | None = None,
) -> Mapping[str, object]:
    try:
        response = http.post(url, data=data, headers=headers, auth=auth or httpx.USE_CLIENT_DEFAULT)
    except httpx.TransportError as exc:
        raise TransientConnectorError(connector, f"{what}: {type(exc).__name__}") from None
    if response.status_code != 200:  # noqa: PLR2004
        raise _token_error(connector, response, what)
    body: Mapping[str, object] = response.json()
    return body


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
        self._connector, self._http, self._url = connector, http, token_url
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
            body = _post_token(
                self._connector, self._http, self._url, "token request", data=self._form
            )
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
        self._connector, self._http, self._url = connector, http, token_url
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
        body = _post_token(
            self._connector,
            self._http,
            self._url,
            "token refresh",
            data=form,
            auth=self._basic,
            headers={"Accept": "application/json"},
        )
        rotated = str(body.get("refresh_token") or "")
        if rotated and rotated != form["refresh_token"]:
            self._store.save(rotated)
        self._token = TokenSet(str(body["access_token"]), now + float(str(body["expires_in"])))
        self.refreshed += 1

    def invalidate(self) -> None:
        """Forget the access token (the refresh token stays in the store)."""
        self._token = None
