"""One-time messages after a redirect, in a signed cookie: the page never shows URL text."""

from __future__ import annotations

from typing import Literal

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

FLASH_COOKIE = "arbridge_flash"
Kind = Literal["notice", "error"]


class Flash:
    """Sets a message on a response and reads it (once) on the next page."""

    def __init__(self, key: str, *, secure: bool = False) -> None:
        self._signer = URLSafeTimedSerializer(key, salt="arbridge-flash")
        self._secure = secure

    def put(self, response: Response, kind: Kind, text: str, undo: int | None = None) -> Response:
        """Carry `text` to the next page the browser shows (with an Undo button for an item)."""
        data: dict[str, object] = {"k": kind, "t": text[:2000]}
        if undo is not None:
            data["u"] = undo
        response.set_cookie(
            FLASH_COOKIE,
            self._signer.dumps(data),
            max_age=120,
            httponly=True,
            samesite="lax",
            secure=self._secure,
        )
        return response

    @staticmethod
    def forget(request: Request, response: Response) -> None:
        """Drop the message once a page has shown it."""
        if FLASH_COOKIE in request.cookies:
            response.delete_cookie(FLASH_COOKIE)

    def take(self, request: Request) -> dict[str, str | int]:
        """The message for this page, if any."""
        cookie = request.cookies.get(FLASH_COOKIE)
        if not cookie or len(cookie) > 4000:  # noqa: PLR2004 - a cookie's size
            return {}
        try:
            data = self._signer.loads(cookie, max_age=120)
        except BadSignature:
            return {}
        if not isinstance(data, dict) or data.get("k") not in ("notice", "error"):
            return {}
        found: dict[str, str | int] = {str(data["k"]): str(data.get("t", ""))}
        if isinstance(data.get("u"), int):
            found["undo"] = data["u"]
        return found
