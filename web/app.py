"""The finance web page: one app over the review queue, the resolver and the store.

Routes live in `routes_*` modules; this module wires them with the session store, the
security headers and the error pages.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from arbridge.receivables.contacts import Contact
from arbridge.review import ReviewQueue
from arbridge.review.limits import WriteOffPolicy
from arbridge.review.resolutions import Resolver
from arbridge.store import Store
from arbridge.web import errors
from arbridge.web.ar import ar_routes
from arbridge.web.auth import SessionPolicy, Sessions
from arbridge.web.flash import Flash
from arbridge.web.headers import SecurityHeaders
from arbridge.web.routes_actions import action_routes
from arbridge.web.routes_admin import admin_routes
from arbridge.web.routes_auth import auth_routes
from arbridge.web.routes_clearing import clearing_routes
from arbridge.web.routes_commissions import CommissionReport, commission_routes
from arbridge.web.routes_customers import customer_routes
from arbridge.web.routes_queue import queue_routes
from arbridge.web.site import TEMPLATES, LoginRequiredError, Site
from arbridge.web.throttle import LoginThrottle


def create_app(
    store: Store,
    *,
    erp: str,
    secret_key: str | None = None,
    write_off: WriteOffPolicy = WriteOffPolicy(),  # noqa: B008 (frozen)
    sessions: SessionPolicy = SessionPolicy(),  # noqa: B008 (frozen)
    throttle: LoginThrottle | None = None,
    commissions: CommissionReport | None = None,
    contacts: Mapping[str, Contact] | None = None,
) -> FastAPI:
    """The web app over one store; `erp` names the ERP that resolutions post to.

    `commissions` computes the commissions page's report (None: the page says so);
    `contacts` are the config's contact details by customer id (`ar.contacts`, `ar.contacts_file`).
    """
    app = FastAPI(title="arbridge", docs_url=None, redoc_url=None, openapi_url=None)
    key = secret_key or secrets.token_urlsafe(32)
    site = Site(
        store=store,
        erp=erp,
        sessions=Sessions(store, key, sessions),
        flash=Flash(key, secure=sessions.secure_cookie),
        queue=ReviewQueue(store),
        resolver=Resolver(store, erp, write_off=write_off),
        throttle=throttle or LoginThrottle(),
    )

    @app.exception_handler(LoginRequiredError)
    def _to_login(request: Request, _exc: LoginRequiredError) -> Response:
        if errors.wants_json(request):
            return JSONResponse({"detail": "log in first"}, 401)
        return RedirectResponse("/login", status_code=303)

    errors.install(app, TEMPLATES)
    app.add_middleware(SecurityHeaders)
    app.mount(
        "/static", StaticFiles(directory=str(resources.files("arbridge.web") / "static")), "static"
    )
    auth_routes(app, site)
    queue_routes(app, site)
    action_routes(app, site)
    admin_routes(app, site)
    ar_routes(app, site, erp, contacts)
    clearing_routes(app, site)
    commission_routes(app, site, commissions)
    customer_routes(app, site)
    return app
