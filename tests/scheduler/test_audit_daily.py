"""The daemon's daily ledger audit: once a day, findings become review items and a metric."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

from prometheus_client import generate_latest

from arbridge.app.monitoring import Monitor
from arbridge.scheduler.audit import audit_if_due, run_audit
from arbridge.store import Store
from tests.review.conftest import make_books

DAY = timedelta(days=1)
T0 = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


def _findings_metric(store: Store) -> str:
    text = generate_latest(Monitor(store, lease=None, stale_after=DAY).registry).decode()
    [line] = [x for x in text.splitlines() if x.startswith("arbridge_ledger_findings ")]
    return line


def test_the_audit_runs_once_a_day_and_turns_findings_into_items_and_a_metric(
    store: Store, tmp_path: Path
) -> None:
    books = make_books(store, tmp_path)
    first = audit_if_due(store, books.erp, every=DAY, clock=lambda: T0)
    assert first is not None
    assert first.findings == []
    [posted] = list(books.erp.posted.values())[:1]
    books.erp.posted["books:stranger:1"] = dataclasses.replace(
        posted, idempotency_key="books:stranger:1"
    )

    too_soon = audit_if_due(store, books.erp, every=DAY, clock=lambda: T0 + DAY / 2)
    next_day = audit_if_due(store, books.erp, every=DAY, clock=lambda: T0 + DAY)

    assert too_soon is None
    assert next_day is not None
    assert [(f.kind, f.subject) for f in next_day.findings] == [
        ("unknown_posting", "books:stranger:1"),
        ("line_over_applied", f"{posted.bank_account}:{posted.bank_id}"),
        ("invoice_over_applied", posted.allocations[0].invoice_id),
    ]
    items = books.queue.open_items(reason="ledger_mismatch")
    assert len(items) == 3
    assert _findings_metric(store) == "arbridge_ledger_findings 3.0"


def test_the_audit_finds_an_application_the_erp_lost(store: Store, tmp_path: Path) -> None:
    books = make_books(store, tmp_path)
    lost = next(iter(books.erp.posted))
    del books.erp.posted[lost]

    report = run_audit(store, books.erp)

    assert [(f.kind, f.subject) for f in report.findings] == [("sent_but_missing", lost)]
