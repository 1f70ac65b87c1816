"""Fixtures of the web tests: a demo store after one cycle, served by uvicorn on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from arbridge.app import App, build_app
from config import load_settings
from review.limits import WriteOffPolicy
from scheduler import run_cycle
from web.app import create_app
from web.auth import add_user

PASSWORD = "correct horse battery"


@pytest.fixture
def demo(contract_data_any_store: Path) -> App:
    app = build_app(load_settings(contract_data_any_store / "arbridge.yaml"))
    run_cycle(app.cycle_deps())
    add_user(app.store, "clara", PASSWORD, "clerk")
    add_user(app.store, "vic", PASSWORD, "viewer")
    return app


@pytest.fixture
def client(demo: App) -> Iterator[httpx.Client]:
    """Real HTTP to the app served by uvicorn on a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    review = demo.settings.review
    policy = WriteOffPolicy(review.write_off_limit, review.write_off_reasons)
    server = uvicorn.Server(
        uvicorn.Config(create_app(demo.store, erp="books", write_off=policy), host="127.0.0.1", port=port,
                       log_level="warning", lifespan="off")
    )  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=False) as http:
        yield http
    server.should_exit = True
    thread.join(timeout=10)
