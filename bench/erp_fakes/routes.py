"""A fake's routes, served either by a respx router (tests) or by a live HTTP server (bench).

Each fake lists its routes once: method, the vendor's origin, a path (exact or a
regular expression) and the handler behind the fake's fault hooks. `install` puts
them on a respx router; `Dispatcher` finds the handler for a request by method and
path alone, so the same fake answers at any host (the live stand-ins on localhost).
Nothing here imports respx at run time: the live stand-ins need only what
`make install` installs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    import respx

Handler = Callable[[httpx.Request], httpx.Response]


@dataclass(frozen=True)
class Route:
    """One endpoint of a fake."""

    method: str
    origin: str
    """Scheme and host (and any path prefix that is not part of the match), or ""."""
    path: str
    handler: Handler
    regex: bool = False
    """`path` is a regular expression matched against the whole path."""

    def matches(self, method: str, path: str) -> bool:
        """Whether a request with this method and URL path is this route's."""
        if method != self.method:
            return False
        if self.regex:
            return re.fullmatch(self.path, path) is not None
        return path == self.path


def route(method: str, url: str, handler: Handler) -> Route:
    """A route for one exact URL (query strings aside)."""
    parsed = httpx.URL(url)
    origin = f"{parsed.scheme}://{parsed.netloc.decode()}"
    return Route(method, origin, parsed.raw_path.decode().split("?")[0], handler)


def route_regex(method: str, origin: str, path_regex: str, handler: Handler) -> Route:
    """A route for every path matching `path_regex` (under `origin`, or any origin if "")."""
    return Route(method, origin, path_regex, handler, regex=True)


def install(router: respx.MockRouter, routes: Sequence[Route]) -> None:
    """Register every route on a respx router."""
    for r in routes:
        if r.regex:
            pattern = (re.escape(r.origin) if r.origin else r"[a-z]+://[^/]+") + r.path
            router.route(method=r.method, url__regex=pattern).mock(side_effect=r.handler)
        else:
            router.route(method=r.method, url=r.origin + r.path).mock(side_effect=r.handler)


class Dispatcher:
    """Finds a fake's handler by method and path (any host)."""

    def __init__(self, routes: Sequence[Route]) -> None:
        self._routes = list(routes)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """The fake's answer, or a 404 naming the path."""
        path = request.url.raw_path.decode().split("?")[0]
        for r in self._routes:
            if r.matches(request.method, path):
                return r.handler(request)
        return httpx.Response(404, json={"error": f"no route for {request.method} {path}"})
