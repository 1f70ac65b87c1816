"""What every route works with: the store, sessions, the queue, rendering and redirects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from arbridge.domain.masking import mask_account
from arbridge.review import ReviewQueue, ReviewStateError
from arbridge.review.resolutions import Resolver
from arbridge.store import Store, cockpit, users
from arbridge.web.auth import SALES_MANAGER_PATHS, SESSION_COOKIE, Role, Sessions, User, permits
from arbridge.web.filters import queue_filter
from arbridge.web.flash import Flash, Kind
from arbridge.web.labels import REASONS, STATUSES, reason_label, without_paths
from arbridge.web.throttle import LoginThrottle

TEMPLATES = Jinja2Templates(directory=str(resources.files("arbridge.web") / "templates"))
TEMPLATES.env.globals.update(reason_label=reason_label, REASONS=REASONS, STATUSES=STATUSES)
TEMPLATES.env.globals["mask"] = mask_account
TEMPLATES.env.filters["nopaths"] = lambda text: without_paths(str(text))
Who = tuple[User, str]


class LoginRequiredError(Exception):
    """Not logged in: send the browser to the login page."""


@dataclass(frozen=True, slots=True)
class Site:
    """The web app's parts."""

    store: Store
    erp: str
    sessions: Sessions
    flash: Flash
    queue: ReviewQueue
    resolver: Resolver
    throttle: LoginThrottle

    def current(self, request: Request) -> Who:
        """The logged-in user and session token, or a redirect to the login page."""
        found = self.sessions.user_of(request.cookies.get(SESSION_COOKIE))
        if found is None:
            raise LoginRequiredError
        if found[0].role == Role.SALES_MANAGER and request.url.path not in SALES_MANAGER_PATHS:
            raise HTTPException(403, f"{found[0].name} may only see the commissions page.")
        return found

    def page(self, request: Request, name: str, who: Who | None, **context: Any) -> Response:
        """Render a template with the user, their CSRF token and the one-time message."""
        extra = {"user": who[0], "csrf": self.sessions.csrf_token(who[1])} if who else {}
        response = TEMPLATES.TemplateResponse(
            request, name, {**extra, **self.flash.take(request), **context}
        )
        self.flash.forget(request, response)
        return response

    def guard(self, who: Who, csrf: str | None, role: Role = Role.CLERK) -> User:
        """Refuse a form without this session's CSRF token, or from a user below `role`."""
        if not self.sessions.csrf_ok(who[1], csrf):
            raise HTTPException(
                403, "The form's security token is missing or old: reload the page."
            )
        return self.require(who, role)

    @staticmethod
    def require(who: Who, role: Role) -> User:
        """Refuse a user below `role`."""
        if not permits(who[0].role, role):
            raise HTTPException(403, f"{who[0].name} may not do this ({role.name.lower()} only).")
        return who[0]

    def redirect(
        self, url: str, kind: Kind | None = None, text: str = "", undo: int | None = None
    ) -> Response:
        """A 303 to `url`, carrying a message when given (and an Undo button for an item)."""
        response = RedirectResponse(url, status_code=303)
        return self.flash.put(response, kind, text, undo) if kind else response

    def next_after(self, item_id: int, back: str, text: str, *, undo: bool = True) -> Response:
        """After an item is closed: its confirmation, and the next item of the same filter."""
        wanted, shown, _ = queue_filter(_params(back), datetime.now(UTC))
        with self.store.transaction() as session:
            following = cockpit.next_item(session, wanted, item_id)
        query = urlencode(shown)
        if following is None:
            return self.redirect(
                f"/?{query}",
                "notice",
                f"{text} Nothing left in this filter.",
                item_id if undo else None,
            )
        where = f"/items/{following}" + (f"?{query}" if query else "")
        return self.redirect(
            where, "notice", f"{text} Here is the next item.", item_id if undo else None
        )

    def assignable(self, name: str) -> str:
        """A user who may take an item.

        Raises:
            ReviewStateError: there is no such enabled clerk or admin.
        """
        with self.store.transaction() as session:
            row = users.find_user(session, name)
        if row is None or row.disabled or not permits(Role[row.role.upper()], Role.CLERK):
            raise ReviewStateError(f"nobody who may take items is called {name[:60]!r}")
        return row.name


def _params(back: str) -> dict[str, str]:
    return dict(parse_qsl(back[:2000]))
