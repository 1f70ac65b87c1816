"""Login and logout, throttled and logged.

Password checks run on a small pool of their own, at the lowest CPU priority, so that a
flood of logins takes at most that pool's spare CPU and never the threads that serve
clerks' pages. A login refused because its address is throttled, or because too many are
under way, is answered after a short pause that costs the server nothing (the event loop
waits), so that a flood gets a few answers a second instead of thousands. (One person
throttled on their own account is answered at once.)
"""

import asyncio
import html
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated

import structlog
from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, Response

from arbridge.web.auth import SESSION_COOKIE, Role, User, check_login
from arbridge.web.site import Site, Who

_log = structlog.get_logger("arbridge.web")
CHECKERS = 1  # argon2 checks at once: one core at most, whatever the flood
WAITING = 8  # logins queued behind them before more are told to come back later
PAUSE = 2.0  # seconds a refused login waits for its answer (at most)
PAUSED = 256  # refused logins held at once; more are answered without a pause


def _lowest_priority() -> None:
    """Run this (password-checking) thread at the lowest CPU priority (Linux: per thread)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError):  # not Linux, or not allowed: run at normal priority
        return


class PasswordChecks:
    """A bounded queue in front of argon2: at most CHECKERS running, WAITING waiting."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(
            max_workers=CHECKERS, thread_name_prefix="login", initializer=_lowest_priority
        )
        self._slots = threading.BoundedSemaphore(CHECKERS + WAITING)

    async def check(self, site: Site, name: str, password: str) -> User | bool | None:
        """The user, None for a wrong password, False when too many logins are under way."""
        if not self._slots.acquire(blocking=False):
            return False
        try:
            future = self._pool.submit(check_login, site.store, name, password)
            return await asyncio.wrap_future(future)
        finally:
            self._slots.release()


def auth_routes(app: FastAPI, site: Site) -> None:
    """Add /login and /logout."""
    current = Annotated[Who, Depends(site.current)]
    checks = PasswordChecks()
    quiet = _Sampled()
    pauses = asyncio.BoundedSemaphore(PAUSED)

    async def refuse(text: str, wait: float) -> Response:
        """A 429, after a pause when few refusals are already pausing."""
        if not pauses.locked():
            async with pauses:
                await asyncio.sleep(min(wait, PAUSE))
        return _busy(text, wait)

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        return site.page(request, "login.html", None)

    @app.post("/login")
    async def login(
        request: Request, name: Annotated[str, Form()], password: Annotated[str, Form()]
    ) -> Response:
        address = request.client.host if request.client else "-"
        name = name.strip()[:100]
        wait = site.throttle.retry_after(name, address)
        if wait > 0:
            quiet.note(user=name, client=address, retry_after=round(wait))
            text = f"Too many failed logins: wait {wait:.0f} s."
            if site.throttle.address_retry_after(address) > 0:  # a flood, not one person
                return await refuse(text, wait)
            return _busy(text, wait)
        user = await checks.check(site, name, password[:1000])
        if user is False:
            quiet.note(user=name, client=address, retry_after=2)
            return await refuse("Too many logins at once: try again shortly.", 2)
        if user is None or user is True:
            site.throttle.failed(name, address)
            _log.warning("login_failed", user=name, client=address)
            return _refused(request, site, 200, "Wrong name or password.", 0)
        site.throttle.succeeded(name)
        _log.info("login", user=user.name, client=address)
        response = site.redirect("/commissions" if user.role == Role.SALES_MANAGER else "/")
        response.set_cookie(
            SESSION_COOKIE,
            await asyncio.to_thread(site.sessions.start, user),
            max_age=int(site.sessions.policy.absolute.total_seconds()),
            httponly=True,
            samesite="lax",
            secure=site.sessions.policy.secure_cookie,
        )
        return response

    @app.post("/logout")
    def logout(who: current, csrf: Annotated[str | None, Form()] = None) -> Response:
        site.guard(who, csrf, min(who[0].role, Role.VIEWER))  # a sales manager may log out
        site.sessions.end(who[1])
        _log.info("logout", user=who[0].name)
        response = site.redirect("/login", "notice", "You are logged out.")
        response.delete_cookie(SESSION_COOKIE)
        return response


class _Sampled:
    """Logs refused logins at most once a second, with how many there were since."""

    def __init__(self) -> None:
        self._last, self._count = 0.0, 0

    def note(self, **fields: object) -> None:
        self._count += 1
        now = time.monotonic()
        if now - self._last >= 1:
            _log.warning("login_throttled", refused=self._count, **fields)
            self._last, self._count = now, 0


def _busy(text: str, wait: float) -> Response:
    """A small 429 page (no template: a flood should cost little)."""
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Too many tries</title>'
        f'<link rel="stylesheet" href="/static/site.css"></head><body><main><h1>Log in</h1>'
        f'<p class="error" role="alert">{html.escape(text)}</p><p><a href="/login">Try again</a>'
        "</p></main></body></html>"
    )
    return HTMLResponse(page, 429, headers={"Retry-After": str(max(1, round(wait)))})


def _refused(request: Request, site: Site, status: int, text: str, wait: float) -> Response:
    response = site.page(request, "login.html", None, error=text)
    response.status_code = status
    if wait:
        response.headers["Retry-After"] = str(max(1, round(wait)))
    return response
