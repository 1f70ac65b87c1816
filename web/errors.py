"""Every error as an HTML page for a browser, or JSON when asked; never a server path."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from arbridge.store import StoreUnavailableError

_log = structlog.get_logger("arbridge.web")
_TITLES = {
    400: "Bad request",
    401: "Please log in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed here",
    413: "Too large",
    422: "Something in the request is not valid",
    429: "Too many tries",
    500: "Something went wrong",
    503: "The database is not available",
}


def wants_json(request: Request) -> bool:
    """Whether the client asked for JSON rather than a page."""
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def install(app: FastAPI, templates: Jinja2Templates) -> None:
    """Register the handlers on an app."""

    def answer(request: Request, status: int, detail: str, headers: Any = None) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": detail}, status, headers=headers)
        title = _TITLES.get(status, "Error")
        context = {"status": status, "title": title, "detail": detail, "user": None}
        return templates.TemplateResponse(request, "error.html", context, status, headers)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "")
        return answer(request, exc.status_code, detail, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        fields = []
        for error in exc.errors()[:5]:
            where = ".".join(str(p) for p in error.get("loc", ())[1:]) or "request"
            fields.append(f"{where}: {error.get('msg', 'not valid')}")
        return answer(request, 422, "; ".join(fields) or "the request is not valid")

    @app.exception_handler(StoreUnavailableError)
    async def unavailable(request: Request, exc: StoreUnavailableError) -> Response:
        _log.error("web_store_unavailable", path=request.url.path)
        return answer(request, 503, "The database did not answer; try again in a moment.")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        _log.exception("web_error", path=request.url.path, error=type(exc).__name__)
        return answer(request, 500, "The error was logged. Go back and try again, or ask an admin.")
