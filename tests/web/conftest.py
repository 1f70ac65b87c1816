"""Fixtures of the web tests: a demo store after one cycle, served by uvicorn on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from arbridge.app import App, build_app
from arbridge.app.webserver import start_in_thread
from arbridge.config import load_settings
from arbridge.review.limits import WriteOffPolicy
from arbridge.scheduler import run_cycle
from arbridge.web.app import create_app
from arbridge.web.auth import add_user

PASSWORD = "correct horse battery"


@pytest.fixture
def demo(contract_data_any_store: Path) -> Iterator[App]:
    """The demo after one cycle; its store is disposed after the test (and its server)."""
    app = build_app(load_settings(contract_data_any_store / "arbridge.yaml"))
    run_cycle(app.cycle_deps())
    add_user(app.store, "clara", PASSWORD, "clerk")
    add_user(app.store, "vic", PASSWORD, "viewer")
    yield app
    app.store.dispose()  # PostgreSQL pool connections left to the GC warn in a later test


@pytest.fixture
def client(demo: App) -> Iterator[httpx.Client]:
    """Real HTTP to the app served by uvicorn on a free loopback port."""
    review = demo.settings.review
    policy = WriteOffPolicy(review.write_off_limit, review.write_off_reasons)
    served = start_in_thread(create_app(demo.store, erp="books", write_off=policy))
    with httpx.Client(base_url=served.url, follow_redirects=False) as http:
        yield http
    served.stop()
