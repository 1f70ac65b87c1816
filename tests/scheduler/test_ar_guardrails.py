"""The receivables step of the cycle: a KPI snapshot per day, guardrails told once per breach."""

from __future__ import annotations

import dataclasses
import email
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from prometheus_client import generate_latest

from arbridge.app import build_app
from arbridge.app.monitoring import Monitor
from arbridge.cli.daemon import guardrail_lines
from arbridge.config import load_settings
from arbridge.receivables.guardrails import Targets
from arbridge.scheduler import CycleDeps, run_cycle
from arbridge.store import ar_health

DAY = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(
        self, server: Any, session: Any, envelope: Any
    ) -> str:  # aiosmtpd calls this name
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[_Inbox, int]]:
    handler, port = _Inbox(), _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def _config(data: Path, port: int) -> Path:
    config = data / "arbridge.yaml"
    extra = f"""
ar:
  alert_emails: [controller@example.com]
smtp:
  host: 127.0.0.1
  port: {port}
  starttls: false
  sender: arbridge@example.com
"""
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return config


def _deps(config: Path, when: datetime, **ar: Any) -> CycleDeps:
    deps = build_app(load_settings(config)).cycle_deps()
    assert deps.ar is not None
    step = dataclasses.replace(deps.ar, **{"every": timedelta(0), **ar})
    ticks = iter(range(1_000_000))  # time moves on within a cycle, as it does for real
    return dataclasses.replace(
        deps, clock=lambda: when + timedelta(milliseconds=next(ticks)), ar=step
    )


def test_a_breach_is_stored_shown_and_mailed_once(
    contract_data: Path, inbox: tuple[_Inbox, int]
) -> None:
    handler, port = inbox
    config = _config(contract_data, port)
    deps = _deps(config, DAY)

    run_cycle(deps)
    # demo data on 30 Nov: all 1600.50 still open is past due; 80.50 of it over 20 days
    assert [m["Subject"] for m in handler.messages] == [
        "arbridge: past_due_share is 1.0000, above its target of 0.30"
    ]
    message = handler.messages[0]
    assert message["To"] == "controller@example.com"
    assert message["Message-ID"]
    run_cycle(_deps(config, DAY + timedelta(hours=1)))
    assert len(handler.messages) == 1  # the same breach is not told again

    with deps.store.transaction() as session:
        states = {r.kpi: r for r in ar_health.guardrails(session)}
        (day,) = ar_health.days(session, "books")
    assert states["past_due_share"].breached
    assert not states["past_due_over_20_days_share"].breached
    assert states["past_due_over_20_days_share"].value == "0.0503"
    assert (day.day, day.open_total) == (DAY.date(), Decimal("1600.50"))
    assert day.buckets["days_1_30"] == "1600.50"
    assert day.figures["past_due_share"] == 1.0

    (line,) = guardrail_lines(deps.store)
    assert line.startswith("AR guardrail BREACHED: past_due_share 1.0000 above target 0.30")
    metrics = generate_latest(Monitor(deps.store, lease=None, stale_after=timedelta(1)).registry)
    assert b'arbridge_ar_guardrail_breached{erp="books",kpi="past_due_share"} 1.0' in metrics
    assert b'arbridge_ar_guardrail_breached{erp="books",kpi="invoices_over_90_days"} 0.0' in metrics


def test_a_breach_that_ends_and_recurs_is_told_again(
    contract_data: Path, inbox: tuple[_Inbox, int]
) -> None:
    handler, port = inbox
    config = _config(contract_data, port)
    run_cycle(_deps(config, DAY))
    relaxed = Targets(past_due_share=Decimal("1.00"))
    run_cycle(_deps(config, DAY + timedelta(hours=1), targets=relaxed))

    assert guardrail_lines(_deps(config, DAY).store) == []
    run_cycle(_deps(config, DAY + timedelta(hours=2)))
    assert len(handler.messages) == 2


def test_a_notice_that_cannot_be_sent_is_tried_next_cycle(
    contract_data: Path, inbox: tuple[_Inbox, int]
) -> None:
    handler, port = inbox
    config = _config(contract_data, _free_port())  # nobody listens there
    summary = run_cycle(_deps(config, DAY))
    assert any("guardrail notice for past_due_share not sent" in e for e in summary.errors)

    fixed = contract_data / "arbridge.yaml"
    text = fixed.read_text(encoding="utf-8").rsplit("ar:\n", 1)[0]
    fixed.write_text(text, encoding="utf-8")
    _config(contract_data, port)
    run_cycle(_deps(config, DAY + timedelta(hours=1)))
    assert len(handler.messages) == 1


def test_one_snapshot_per_day_keeps_the_trend(contract_data: Path) -> None:
    config = contract_data / "arbridge.yaml"
    for offset in (0, 1, 1, 3):
        run_cycle(_deps(config, DAY + timedelta(days=offset)))

    with build_app(load_settings(config)).store.transaction() as session:
        days = ar_health.days(session, "books")
    assert [d.day.isoformat() for d in days] == ["2026-11-30", "2026-12-01", "2026-12-03"]
    assert (
        days[-1].buckets["days_1_30"] == "1600.50"
    )  # C004's two invoices 4-5 days late, INV-1002 29


def test_the_step_runs_at_most_once_per_interval_but_every_new_day(contract_data: Path) -> None:
    config = contract_data / "arbridge.yaml"
    hourly = {"every": timedelta(hours=1)}
    run_cycle(_deps(config, DAY, **hourly))
    run_cycle(_deps(config, DAY + timedelta(minutes=10), **hourly))

    store = build_app(load_settings(config)).store
    with store.transaction() as session:
        (day,) = ar_health.days(session, "books")
    assert day.taken_at < DAY + timedelta(minutes=1)  # the second cycle left it alone
    run_cycle(_deps(config, DAY + timedelta(hours=12, minutes=1), **hourly))  # next day, UTC
    with store.transaction() as session:
        assert len(ar_health.days(session, "books")) == 2
