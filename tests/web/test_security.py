"""Sessions that end, throttled logins, security headers and clean 4xx pages, over real HTTP."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sqlmodel import update
from structlog.testing import capture_logs

from arbridge.app import App
from arbridge.app.webserver import session_policy
from arbridge.cli import cli
from arbridge.config import load_settings
from arbridge.store import users
from arbridge.store.tables import WebSessionRow
from arbridge.web.auth import SESSION_COOKIE, add_user
from arbridge.web.throttle import Backoff, LoginThrottle
from tests.web.conftest import PASSWORD
from tests.web.test_web import _item_id, _login


def _state(demo: App, item: int) -> tuple[str, str | None]:
    view, _ = demo.queue.show(item)
    return view.status, view.assignee


def test_logout_ends_the_session_at_once(client: httpx.Client, demo: App) -> None:
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0005")
    old = client.cookies[SESSION_COOKIE]

    client.post("/logout", data={"csrf": csrf})
    client.cookies.set(SESSION_COOKIE, old)
    replayed = client.post(f"/items/{item}/assign", data={"csrf": csrf, "assignee": "clara"})

    assert (replayed.status_code, replayed.headers["location"]) == (303, "/login")
    assert client.get("/").headers["location"] == "/login"
    assert _state(demo, item) == ("open", None)


def test_a_clerk_demoted_to_viewer_can_no_longer_write(client: httpx.Client, demo: App) -> None:
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0005")

    add_user(demo.store, "clara", PASSWORD, "viewer")  # `arbridge user add` resets the role
    refused = client.post(f"/items/{item}/assign", data={"csrf": csrf, "assignee": "clara"})

    assert refused.headers["location"] == "/login"
    assert _state(demo, item) == ("open", None)
    csrf = _login(client, "clara")
    again = client.post(f"/items/{item}/assign", data={"csrf": csrf, "assignee": "clara"})
    assert again.status_code == 403
    assert _state(demo, item) == ("open", None)


def test_an_admin_changes_a_role_on_the_users_page_and_it_ends_the_sessions(
    client: httpx.Client, demo: App
) -> None:
    add_user(demo.store, "ada", PASSWORD, "admin")
    _login(client, "clara")
    with demo.store.transaction() as session:
        assert users.session_count(session, "clara") == 1
    client.cookies.clear()
    csrf = _login(client, "ada")

    client.post("/users/clara", data={"csrf": csrf, "action": "role", "role": "viewer"})

    with demo.store.transaction() as session:
        assert users.session_count(session, "clara") == 0
        assert users.find_user(session, "clara").role == "viewer"  # type: ignore[union-attr] # exists
    assert "clara: role is now viewer" in client.get("/users").text


def test_user_disable_ends_sessions_and_refuses_logins_until_enabled(
    client: httpx.Client, demo: App, contract_data_any_store: object
) -> None:
    _login(client, "clara")
    config = str(contract_data_any_store) + "/arbridge.yaml"

    result = CliRunner().invoke(cli, ["--config", config, "user", "disable", "clara"])

    assert result.exit_code == 0, result.output
    assert client.get("/").headers["location"] == "/login"
    client.cookies.clear()
    refused = client.post("/login", data={"name": "clara", "password": PASSWORD})
    assert "Wrong name or password." in refused.text
    listed = CliRunner().invoke(cli, ["--config", config, "user", "list"])
    assert "clara\tclerk\tdisabled" in listed.output
    CliRunner().invoke(cli, ["--config", config, "user", "enable", "clara"])
    assert client.post("/login", data={"name": "clara", "password": PASSWORD}).status_code == 303
    unknown = CliRunner().invoke(cli, ["--config", config, "user", "disable", "nobody"])
    assert unknown.exit_code != 0
    assert "there is no user 'nobody'" in unknown.output


def test_wrong_passwords_are_throttled_and_logged_without_the_password(
    client: httpx.Client,
) -> None:
    with capture_logs() as logs:
        answers = [
            client.post("/login", data={"name": "clara", "password": f"guess-{n}"})
            for n in range(8)
        ]
        right = client.post("/login", data={"name": "clara", "password": PASSWORD})

    assert [a.status_code for a in answers[:5]] == [200] * 5
    assert {a.status_code for a in answers[5:]} == {429}
    assert right.status_code == 429  # the right password waits its turn too
    assert int(right.headers["retry-after"]) >= 1
    failed = [e for e in logs if e["event"] == "login_failed"]
    assert len(failed) == 5
    assert failed[0]["user"] == "clara"
    assert failed[0]["client"] == "127.0.0.1"
    assert not [e for e in logs if "guess-" in repr(e) or PASSWORD in repr(e)]


def test_backoff_grows_and_a_success_clears_the_account() -> None:
    now = [1000.0]
    throttle = LoginThrottle(
        per_user=Backoff(free=2), per_address=Backoff(free=5), clock=lambda: now[0]
    )
    for _ in range(3):
        throttle.failed("Clara", "10.0.0.1")
    assert throttle.retry_after("clara", "10.0.0.9") == pytest.approx(2.0)
    assert throttle.retry_after("bob", "10.0.0.1") == 0
    now[0] += 2.5
    assert throttle.retry_after("clara", "10.0.0.9") == 0
    throttle.failed("clara", "10.0.0.9")
    assert throttle.retry_after("clara", "10.0.0.9") == pytest.approx(4.0)
    throttle.succeeded("clara")
    assert throttle.retry_after("clara", "10.0.0.9") == 0
    for n in range(6):
        throttle.failed(f"user{n}", "10.0.0.1")
    assert throttle.retry_after("someone", "10.0.0.1") > 0  # the address is throttled


def test_every_response_carries_the_security_headers(client: httpx.Client) -> None:
    _login(client, "clara")
    for path in ("/login", "/", "/runs", "/items/1", "/items/999999", "/static/site.css"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert "script-src 'self'" in headers["content-security-policy"], path
        assert "unsafe-inline" not in headers["content-security-policy"], path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "no-referrer", path
        if not path.startswith("/static"):
            assert headers["cache-control"] == "no-store", path


def test_pages_have_no_inline_script_or_style(client: httpx.Client) -> None:
    _login(client, "clara")
    item = _item_id(client, "TX0005")
    for path in ("/", f"/items/{item}", "/runs", "/login"):
        page = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), path
        assert "<style" not in page, path
        assert " style=" not in page, path


HOSTILE_GETS = [
    "/items/99999999999999999999",
    "/items/0",
    "/items/-1",
    "/items/abc",
    "/?page_no=99999999999999999999",
    "/?page_no=0",
    "/?age=99999999999999999999",
    "/?min_amount=1e999999",
    "/?max_amount=-1e999999&min_amount=NaN",
    "/?q=%25%27%22%3Cscript%3E",
    "/export.csv?min_amount=1e999999",
    "/nowhere",
]


@pytest.mark.parametrize("path", HOSTILE_GETS)
def test_hostile_queries_answer_a_clean_page_not_a_500(client: httpx.Client, path: str) -> None:
    _login(client, "clara")
    answer = client.get(path)
    assert answer.status_code < 500, (path, answer.text[:300])
    assert "/tmp/" not in answer.text
    assert "Traceback" not in answer.text
    if answer.status_code >= 400:
        assert answer.headers["content-type"].startswith("text/html")
        assert "<h1>" in answer.text


def test_hostile_forms_answer_4xx_or_a_named_refusal_and_change_nothing(
    client: httpx.Client, demo: App
) -> None:
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0005")
    add_user(demo.store, "ada", PASSWORD, "admin")
    forms: list[tuple[str, dict[str, str | list[str]]]] = [
        (f"/items/{item}/apply", {"invoice": "INV-1007", "amount": "NaN"}),
        (f"/items/{item}/apply", {"invoice": "INV-1007", "amount": "Infinity"}),
        (f"/items/{item}/apply", {"invoice": "INV-1007", "amount": "1e999999"}),
        (f"/items/{item}/apply", {"invoice": ["INV-1007", "INV-1008"], "amount": "760.00"}),
        (f"/items/{item}/apply", {"invoice": "INV-1007", "amount": "760.001"}),
        (f"/items/{item}/apply", {}),
        ("/items/99999999999999999999/apply", {"invoice": "INV-1007", "amount": "760.00"}),
        (f"/items/{item}/assign", {"assignee": "nobody-at-all"}),
        (f"/items/{item}/on-account", {"customer": "No Such Customer"}),
        (f"/items/{item}/explode", {}),
        ("/bulk", {"item": ["99999999999999999999"], "action": "assign"}),
        ("/bulk", {"item": ["1"], "action": "delete-everything"}),
    ]
    for path, data in forms:
        answer = client.post(path, data={"csrf": csrf, **data})
        assert answer.status_code in (303, 403, 404, 422), (path, data, answer.text[:300])
        assert _state(demo, item) == ("open", None), (path, data)
    client.cookies.clear()
    csrf = _login(client, "ada")
    answer = client.post("/settings", data={"csrf": csrf, "write_off_limit": "1e30"})
    assert "is not an amount" in client.get(answer.headers["location"]).text


def test_two_invoices_and_one_amount_is_refused_by_name(client: httpx.Client) -> None:
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0005")
    answer = client.post(
        f"/items/{item}/apply",
        data={"csrf": csrf, "invoice": ["INV-1007", "INV-1008"], "amount": "760.00"},
    )
    assert "2 invoices but 1 amounts" in client.get(answer.headers["location"]).text


def test_errors_are_html_for_browsers_and_json_when_asked(client: httpx.Client) -> None:
    csrf = _login(client, "vic")
    page = client.get("/items/424242")
    data = client.get("/items/424242", headers={"accept": "application/json"})
    forbidden = client.post("/items/1/assign", data={"csrf": csrf})
    invalid = client.get("/items/abc")

    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "There is no review item 424242." in page.text
    assert data.json() == {"detail": "There is no review item 424242."}
    assert forbidden.status_code == 403
    assert "vic may not do this" in forbidden.text
    assert "<h1>Not allowed</h1>" in forbidden.text
    assert invalid.status_code == 422
    assert invalid.headers["content-type"].startswith("text/html")


def test_messages_never_come_from_the_url(client: httpx.Client) -> None:
    _login(client, "clara")
    item = _item_id(client, "TX0005")
    for path in (f"/items/{item}?error=Call+0800+now", "/?notice=Call+0800+now&error=Call+0800"):
        assert "Call 0800" not in client.get(path).text


def test_assign_refuses_a_user_who_does_not_exist(client: httpx.Client, demo: App) -> None:
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0005")
    answer = client.post(f"/items/{item}/assign", data={"csrf": csrf, "assignee": "ghost"})
    assert (
        "nobody who may take items is called &#39;ghost&#39;"
        in client.get(answer.headers["location"]).text
    )
    assert _state(demo, item) == ("open", None)


def test_a_session_times_out_when_idle(client: httpx.Client, demo: App) -> None:
    _login(client, "clara")
    with demo.store.transaction() as session:
        session.exec(update(WebSessionRow).values(seen_at=datetime(2020, 1, 1, tzinfo=UTC)))
    assert client.get("/").headers["location"] == "/login"


def test_the_cookie_is_secure_by_default_behind_an_https_address(
    contract_data_any_store: object,
) -> None:
    settings = load_settings(Path(str(contract_data_any_store)) / "arbridge.yaml")
    plain = session_policy(settings)
    https = session_policy(
        settings.model_copy(
            update={"web": settings.web.model_copy(update={"public_url": "https://ar.example"})}
        )
    )

    assert (plain.secure_cookie, https.secure_cookie) == (False, True)
    assert plain.idle == timedelta(minutes=30)
    assert plain.absolute == timedelta(hours=8)
