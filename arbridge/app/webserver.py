"""Serving the finance web page beside the daemon: uvicorn on a background thread."""

from __future__ import annotations

import secrets
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import uvicorn
from fastapi import FastAPI

from arbridge.app.ar_contacts import configured_contacts
from arbridge.app.commissions import CommissionLedger, plan_from
from arbridge.commissions import Plan
from arbridge.config import ArbridgeSettings
from arbridge.domain.errors import ArbridgeError
from arbridge.review.limits import WriteOffPolicy
from arbridge.store import Store, users
from arbridge.web.app import create_app
from arbridge.web.auth import SessionPolicy, add_user
from arbridge.web.routes_commissions import CommissionReport

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
    app = create_app(
        store,
        erp=settings.connectors.erp.name,
        secret_key=secret,
        write_off=policy,
        sessions=session_policy(settings),
        commissions=commission_report(settings, store),
        contacts=configured_contacts(settings.ar),
    )
    return start_in_thread(app, host, int(port)).server


def commission_report(settings: ArbridgeSettings, store: Store) -> CommissionReport:
    """The commissions page's report: the YAML's plan (every rate 0 without one)."""
    plan = Plan() if settings.commissions is None else plan_from(settings.commissions)
    ledger = CommissionLedger(store, settings.connectors.erp.name, plan, lambda: datetime.now(UTC))
    return ledger.report


def session_policy(settings: ArbridgeSettings) -> SessionPolicy:
    """Session timeouts and the Secure cookie flag from `web:`."""
    web = settings.web
    secure = web.secure_cookie
    if secure is None:
        secure = bool(web.public_url and web.public_url.startswith("https://"))
    return SessionPolicy(
        idle=timedelta(minutes=web.session_idle_minutes),
        absolute=timedelta(hours=web.session_max_hours),
        secure_cookie=secure,
    )


@dataclass(frozen=True, slots=True)
class Served:
    """An app served on a background thread: its base URL, and how to stop it."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self, timeout: float = 10) -> None:
        """Ask uvicorn to exit and wait for its thread."""
        self.server.should_exit = True
        self.thread.join(timeout)


def start_in_thread(app: FastAPI, host: str = "127.0.0.1", port: int | None = None) -> Served:
    """Serve an app with uvicorn on a background thread, once it listens.

    `port` None picks a free one.

    Raises:
        ArbridgeError: it could not listen (the port is taken) or did not start within 30 s.
    """
    if port is None:
        with socket.socket() as sock:
            sock.bind((host, 0))
            port = sock.getsockname()[1]
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="web", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise ArbridgeError(f"the web page could not listen on {host}:{port} (in use?)")
        time.sleep(0.02)
    return Served(f"http://{host}:{port}", server, thread)
