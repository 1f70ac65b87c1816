"""Acumatica cookie sessions: log in on first use, always log out (sessions hold licence seats)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import httpx
import structlog

from arbridge.connectors.erp._http import HttpClient
from arbridge.connectors.errors import ConnectorError, PermanentConnectorError

log = structlog.get_logger("arbridge.erp.acumatica")


class CookieSession:
    """The Authenticator of a cookie session; `open()` scopes it and guarantees the logout.

    The httpx client keeps the `.ASPXAUTH` / `ASP.NET_SessionId` cookies; this class
    only knows whether they are valid. Sessions nest: only the outermost logs out.
    """

    def __init__(
        self, *, site: str, username: str, password: str, company: str, branch: str | None = None
    ) -> None:
        self._site = site.rstrip("/")
        self._credentials = {"name": username, "password": password, "company": company}
        if branch:
            self._credentials["branch"] = branch
        self._api: HttpClient | None = None
        self._logged_in = self._busy = False
        self._depth = 0
        self.logins = self.logouts = 0

    def bind(self, api: HttpClient) -> None:
        """The client used for login and logout (its rate limit and error mapping apply)."""
        self._api = api

    def headers(self) -> Mapping[str, str]:
        """No headers: log in if needed, the cookies do the rest."""
        if not self._logged_in and not self._busy:
            self._login()
        return {}

    def invalidate(self) -> None:
        """A 401: the session expired; the next request logs in again."""
        self._logged_in = False

    @contextmanager
    def open(self) -> Iterator[None]:
        """A scope with a session; the outermost scope logs out however it ends."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0 and self._logged_in:
                self._logout()

    def _login(self) -> None:
        assert self._api is not None, "bind() the session to its client first"
        self._busy = True  # the login request itself must not log in again
        try:
            self._api.request(
                "POST", f"{self._site}/entity/auth/login", json=self._credentials, ok=(204,)
            )
        except ConnectorError as exc:
            if "Login Limit" in exc.message:
                raise
            raise PermanentConnectorError(exc.connector, f"login failed: {exc.message}") from None
        finally:
            self._busy = False
        self._logged_in = True
        self.logins += 1

    def _logout(self) -> None:
        assert self._api is not None
        self._logged_in, self._busy = False, True
        try:
            self._api.request("POST", f"{self._site}/entity/auth/logout", ok=(204,))
        except (ConnectorError, httpx.HTTPError) as exc:
            log.warning("acumatica_logout_failed", error=str(exc))
        finally:
            self._busy = False
        self.logouts += 1
        self._api.http.cookies.clear()
