"""/healthz and /metrics for the running daemon: a small WSGI server on a background thread.

Counters (cycles, lines, applied, queued, errors) are kept in this process and reset
when it restarts, as Prometheus expects; gauges (outbox depth and age, review queue,
connector health) are read from the store at scrape time, so they are right even
just after a restart.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, make_wsgi_app
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from arbridge.domain.review import ReviewReason, ReviewStatus
from arbridge.scheduler import RunSummary
from arbridge.store import Store, ar_health, reviews
from arbridge.store.lease import Lease
from arbridge.store.reviews import ReviewFilter
from arbridge.store.status import status_report

_MISMATCH = ReviewReason.LEDGER_MISMATCH.value

StartResponse = Callable[..., Any]
_COUNTED = (
    "lines_new",
    "applied",
    "queued",
    "ignored",
    "posted",
    "post_failed",
    "files_imported",
    "files_quarantined",
    "connector_errors",
    "in_erp",
    "misapplied",
    "misapplied_below_confidence",
    "unapplied_suggested",
    "unapplied_below_confidence",
)


class Monitor:
    """Metrics registry plus the health verdict, fed by each finished cycle."""

    def __init__(self, store: Store, *, lease: Lease | None, stale_after: timedelta) -> None:
        self.store, self.lease, self.stale_after = store, lease, stale_after
        self.registry = CollectorRegistry()
        self._cycles = Counter(
            "arbridge_cycles", "Cycles run, by outcome", ["status"], registry=self.registry
        )
        self._counts = Counter(
            "arbridge_events", "Things cycles did, by kind", ["kind"], registry=self.registry
        )
        self.registry.register(_StoreCollector(store))

    def record(self, summary: RunSummary) -> None:
        """Count one finished cycle."""
        self._cycles.labels(summary.status).inc()
        for kind in _COUNTED:
            self._counts.labels(kind).inc(summary.counts.get(kind, 0))

    def health(self, now: datetime | None = None) -> tuple[bool, dict[str, Any]]:
        """(healthy, details): a cycle finished recently and every connector is up."""
        now = now or datetime.now(UTC)
        with self.store.transaction() as session:
            report = status_report(session)
        last = report.last_ok_run_at
        fresh = last is not None and now - last <= self.stale_after
        down = [c.name for c in report.connectors if c.status == "down"]
        body = {
            "status": "ok" if fresh and not down else ("degraded" if fresh else "stale"),
            "last_successful_cycle_at": last.isoformat() if last else None,
            "lease_holder": self.lease.holder() if self.lease else None,
            "connectors": {c.name: _connector(c) for c in report.connectors},
            "outbox_pending": report.outbox.get("pending", 0),
            "review_open": report.review.get("open", 0) + report.review.get("assigned", 0),
        }
        return fresh and not down, body


def _connector(c: Any) -> dict[str, Any]:
    return {
        "status": c.status,
        "last_success_at": c.last_success_at.isoformat() if c.last_success_at else None,
        "consecutive_failures": c.consecutive_failures,
    }


class _StoreCollector(Collector):
    """Gauges read from the store at scrape time."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._store.transaction() as session:
            report = status_report(session)
            active = ReviewFilter(statuses=[ReviewStatus.OPEN, ReviewStatus.ASSIGNED])
            findings = reviews.count_by_reason(session, active).get(_MISMATCH, 0)
        yield _gauge("arbridge_outbox", "Outbox entries by status", "status", report.outbox)
        age = 0.0
        if report.oldest_pending_at is not None:
            age = (datetime.now(UTC) - report.oldest_pending_at).total_seconds()
        yield GaugeMetricFamily(
            "arbridge_outbox_oldest_pending_seconds",
            "Age of the oldest undelivered entry",
            value=age,
        )
        yield _gauge("arbridge_review_items", "Review items by status", "status", report.review)
        yield GaugeMetricFamily(
            "arbridge_ledger_findings",
            "Open review items from the ledger audit (arbridge audit): 0 when the ledgers agree",
            value=findings,
        )
        up = {c.name: 1 if c.status == "up" else 0 for c in report.connectors}
        yield _gauge(
            "arbridge_connector_up", "1 when the connector worked last time", "connector", up
        )
        yield from _guardrail_gauges(self._store)
        if report.last_ok_run_at is not None:
            yield GaugeMetricFamily(
                "arbridge_last_successful_cycle_timestamp_seconds",
                "When the last cycle finished",
                value=report.last_ok_run_at.timestamp(),
            )


def _guardrail_gauges(store: Store) -> Iterator[GaugeMetricFamily]:
    """Each receivables KPI's last value and whether it is past its target."""
    with store.transaction() as session:
        rows = ar_health.guardrails(session)
    breached = GaugeMetricFamily(
        "arbridge_ar_guardrail_breached",
        "1 while the receivables KPI is past its target",
        labels=["erp", "kpi"],
    )
    value = GaugeMetricFamily(
        "arbridge_ar_kpi", "The receivables KPI at the last cycle", labels=["erp", "kpi"]
    )
    for row in rows:
        breached.add_metric([row.erp, row.kpi], 1 if row.breached else 0)
        value.add_metric([row.erp, row.kpi], float(row.value))
    yield breached
    yield value


def _gauge(name: str, doc: str, label: str, values: dict[str, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=[label])
    for key, value in sorted(values.items()):
        family.add_metric([key], value)
    return family


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not worth a log line each."""


def serve(monitor: Monitor, host: str, port: int) -> WSGIServer:
    """Start serving /healthz and /metrics on a daemon thread; returns the server."""
    metrics_app = make_wsgi_app(monitor.registry)

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            healthy, body = monitor.health()
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json")])
            return [json.dumps(body).encode()]
        if environ.get("PATH_INFO") == "/metrics":
            return metrics_app(environ, start_response)  # type: ignore[no-any-return]  # prometheus_client's WSGI app is untyped
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"try /healthz or /metrics\n"]

    server = make_server(host, port, app, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="monitoring", daemon=True).start()
    return server
