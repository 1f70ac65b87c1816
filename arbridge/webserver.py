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


def ensure_demo_user(store: Store) -> str | None:
    """Create user 'demo' (clerk) with a random password if nobody exists; the password once."""
    with store.transaction() as session:
        if users.user_count(session):
            return None
    password = secrets.token_urlsafe(9)
    add_user(store, "demo", password, "clerk")
    return password


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
