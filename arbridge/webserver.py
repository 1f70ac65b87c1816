"""Serving the finance web page beside the daemon: uvicorn on a background thread."""

from __future__ import annotations

import secrets
import threading

import uvicorn

from config import ArbridgeSettings
from review.limits import WriteOffPolicy
from store import Store, users
from web.app import create_app
from web.auth import add_user

DEMO_USERS = (("demo", "clerk"), ("admin", "admin"))


def ensure_demo_users(store: Store) -> list[tuple[str, str, str]] | None:
    """With no users yet, create `demo` (clerk) and `admin` (admin) with random passwords.

    Returns:
        (name, role, password) of each, to print once; None when users already existed.
    """
    with store.transaction() as session:
        if users.user_count(session):
            return None
    made = []
    for name, role in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        add_user(store, name, password, role)
        made.append((name, role, password))
    return made


def serve_web(settings: ArbridgeSettings, store: Store) -> uvicorn.Server:
    """Start the web page on `web.listen` (a daemon thread); returns the server."""
    listen = settings.web.listen
    assert listen is not None
    host, port = listen.rsplit(":", 1)
    secret = settings.web.secret_key.resolve() if settings.web.secret_key else None
    policy = WriteOffPolicy(settings.review.write_off_limit, settings.review.write_off_reasons)
    app = create_app(store, erp=settings.connectors.erp.name, secret_key=secret, write_off=policy)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=int(port), log_level="warning"))
    threading.Thread(target=server.run, name="web", daemon=True).start()
    return server
