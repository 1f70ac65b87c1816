"""Admin pages: the write-off limit, and the users (role, disable, enable)."""

from typing import Annotated

import structlog
from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from arbridge.review import ReviewStateError
from arbridge.store import users
from arbridge.web import params
from arbridge.web.auth import Role
from arbridge.web.site import Site, Who

_log = structlog.get_logger("arbridge.web")
Text = Annotated[str, Form(max_length=2000)]


def admin_routes(app: FastAPI, site: Site) -> None:
    """Add /settings and /users."""
    current = Annotated[Who, Depends(site.current)]

    @app.get("/settings", response_class=HTMLResponse)
    def settings_page(request: Request, who: current) -> Response:
        site.require(who, Role.ADMIN)
        limits = site.resolver.limits
        return site.page(
            request, "settings.html", who, policy=limits.write_off(), configured=limits.configured
        )

    @app.post("/settings")
    def change_settings(who: current, write_off_limit: Text, csrf: Text = "") -> Response:
        user = site.guard(who, csrf, Role.ADMIN)
        try:
            limit = params.amount(write_off_limit, "write-off limit")
            site.resolver.limits.set_write_off_limit(str(limit), actor=user.name)
        except ReviewStateError as exc:
            return site.redirect("/settings", "error", str(exc))
        return site.redirect("/settings", "notice", f"Write-off limit set to {limit}.")

    @app.get("/users", response_class=HTMLResponse)
    def users_page(request: Request, who: current) -> Response:
        site.require(who, Role.ADMIN)
        with site.store.transaction() as session:
            rows = users.all_users(session)
            live = {row.name: users.session_count(session, row.name) for row in rows}
        return site.page(request, "users.html", who, rows=rows, live=live, roles=list(Role))

    @app.post("/users/{name}")
    def change_user(
        who: current, name: str, *, csrf: Text = "", action: Text = "", role: Text = ""
    ) -> Response:
        admin = site.guard(who, csrf, Role.ADMIN)
        if name == admin.name:
            return site.redirect("/users", "error", "Change your own account with the CLI.")
        with site.store.transaction() as session:
            if action == "role" and role.upper() in Role.__members__:
                found = users.set_role(session, name, role.lower())
            elif action in ("disable", "enable"):
                found = users.set_disabled(session, name, action == "disable")
            else:
                raise HTTPException(422, "Choose disable, enable or a role.")
        if not found:
            raise HTTPException(404, f"There is no user {name[:60]!r}.")
        _log.info("user_changed", user=name, action=action, role=role, actor=admin.name)
        done = f"{name}: role is now {role.lower()}" if action == "role" else f"{name}: {action}d"
        ended = "" if action == "enable" else "; their sessions have ended"
        return site.redirect("/users", "notice", f"{done}{ended}.")
