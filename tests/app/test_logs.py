"""Logging: secrets never reach the log output, whatever carries them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import structlog
from structlog.testing import capture_logs

from arbridge.app import build_app
from arbridge.app.logs import MASK, MASKER, SecretMasker, configure_logging
from arbridge.config import load_settings
from arbridge.scheduler import run_cycle
from bench.datasets import CONTRACT_CONFIG


def test_masker_hides_secret_keys_and_registered_values() -> None:
    masker = SecretMasker()
    masker.register("s3cr3t-value")
    event = {
        "event": "connected",
        "client_secret": "abc",
        "url": "postgresql://u:s3cr3t-value@db/x",
        "headers": {"Authorization": "Bearer xyz"},
    }

    out = masker(None, "info", event)

    assert out["client_secret"] == MASK
    assert out["url"] == f"postgresql://u:{MASK}@db/x"
    assert out["headers"] == {"Authorization": MASK}


def test_json_output_off_a_terminal_never_contains_a_secret() -> None:
    stream = io.StringIO()
    configure_logging("info", "auto", stream=stream)
    structlog.get_logger().info("token_refreshed", access_token="eyJ-very-secret")

    record = json.loads(stream.getvalue())
    assert record["event"] == "token_refreshed"
    assert "eyJ-very-secret" not in stream.getvalue()


def test_a_full_cycle_with_a_secret_store_url_logs_no_secret(
    contract_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_url = f"sqlite:///{contract_data}/Zebra-Orchid-91.db"
    monkeypatch.setenv("ARBRIDGE_TEST_STORE_URL", secret_url)
    config = contract_data / "arbridge.yaml"
    config.write_text(
        CONTRACT_CONFIG.format(data=contract_data).replace(
            f"sqlite:///{contract_data}/state.db", "env:ARBRIDGE_TEST_STORE_URL"
        ),
        encoding="utf-8",
    )
    configure_logging("debug", "json", stream=io.StringIO())

    with capture_logs(processors=[structlog.contextvars.merge_contextvars, MASKER]) as logs:
        app = build_app(load_settings(config))
        structlog.get_logger().info("store_opened", url=secret_url)
        run_cycle(app.cycle_deps())

    assert any(e["event"] == "cycle_finished" for e in logs)
    assert all(e.get("run_id") for e in logs if e["event"].startswith("cycle"))
    rendered = json.dumps(logs, default=str)
    assert secret_url not in rendered
