"""Benchmark: applications posted per minute by each HTTP ERP connector under the vendor's limits.

Usage: .venv/bin/python -m bench.erp_posting [--apps 2000] [--latency 0.05]

Each connector talks to its fake server (the respx fakes of tests/contracts, built
from the reference's wire shapes) through a transport that enforces the vendor's
published request windows on a virtual clock and answers 429 when they are
exceeded. Every request also costs `--latency` virtual seconds. The client's own
rate limiter and retry sleeps run on the same virtual clock, so the figures are
what the limits force, not what this machine's CPU does; wall time is printed too.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import respx

from arbridge.app.logs import configure_logging
from arbridge.connectors.base import BatchPoster, ErpCapability, ErpGateway, PostResult
from arbridge.connectors.erp import acumatica, business_central, quickbooks
from arbridge.connectors.erp._http import FileRefreshTokenStore, RateLimiter, RetryPolicy, Window
from arbridge.domain.records import Allocation, Application, Customer, Invoice
from bench.erp_fakes import fake_acumatica, fake_bc, fake_qbo

BC_SECRET, QBO_SECRET, ACU_PASSWORD = "s3cret-value", "qbo-s3cret", "acu-s3cret"


class VirtualClock:
    """Seconds that pass only when someone sleeps or a request is served."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)


class VendorLimits(httpx.BaseTransport):
    """Serves the fake's routes, answering 429 when a vendor window would be exceeded."""

    def __init__(
        self,
        router: respx.MockRouter,
        windows: list[Window],
        clock: VirtualClock,
        latency: float,
        throttled: httpx.Response,
        *,
        batch_windows: list[Window] | None = None,
    ) -> None:
        self._router, self._windows, self._clock, self._latency = router, windows, clock, latency
        self._sent: deque[float] = deque()
        self._batch_windows = batch_windows or []
        self._batches: deque[float] = deque()
        self._throttled = throttled
        self.requests = self.rejected = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if "/oauth2/" in request.url.path:  # token endpoints are not the realm's API
            return self._router.handler(request)
        now = self._clock()
        self.requests += 1
        batch = request.url.path.endswith("/batch")
        if _full(self._sent, self._windows, now) or (
            batch and _full(self._batches, self._batch_windows, now)
        ):
            self.rejected += 1
            return self._throttled
        self._sent.append(now)
        if batch:
            self._batches.append(now)
        self._clock.sleep(self._latency)
        request.read()
        return self._router.handler(request)


def _full(sent: deque[float], windows: list[Window], now: float) -> bool:
    """Whether one more request would exceed a window (and forget what left them all)."""
    if not windows:
        return False
    while sent and sent[0] <= now - max(w.seconds for w in windows):
        sent.popleft()
    return any(sum(1 for t in sent if t > now - w.seconds + 1e-6) >= w.limit for w in windows)


@dataclass
class Vendor:
    name: str
    windows: list[Window]
    limit_note: str
    best_apps_per_min: float
    """The most applications per minute the vendor's limits allow (batching where offered)."""
    build: Callable[[respx.MockRouter, VirtualClock, httpx.BaseTransport, Path], ErpGateway]
    batch_windows: list[Window] | None = None
    """Limits on vendor batch requests (QuickBooks: 40 a minute per realm and app)."""


def _records(n: int) -> tuple[list[Customer], list[Invoice]]:
    customers = [
        Customer(customer_id=f"C{i % 50:03d}", name=f"Customer {i % 50}") for i in range(50)
    ]
    invoices = [
        Invoice(
            invoice_id=f"INV-{i:06d}",
            customer_id=f"C{i % 50:03d}",
            invoice_date=date(2026, 10, 1),
            due_date=date(2026, 10, 31),
            amount=Decimal("100.00") + i,
            open_amount=Decimal("100.00") + i,
        )
        for i in range(n)
    ]
    return customers, invoices


def _apps(invoices: list[Invoice]) -> list[Application]:
    return [
        Application(
            idempotency_key=f"erp:operating:TX{n}",
            bank_account="operating",
            bank_id=f"TX{n}",
            customer_id=inv.customer_id,
            booked_on=date(2026, 11, 2),
            amount=inv.open_amount,
            allocations=(
                Allocation(
                    invoice_id=inv.invoice_id, customer_id=inv.customer_id, amount=inv.open_amount
                ),
            ),
            evidence=f"bank line TX{n}; rule exact; confidence 1.00",
        )
        for n, inv in enumerate(invoices)
    ]


def _bc(
    router: respx.MockRouter, clock: VirtualClock, transport: httpx.BaseTransport, _tmp: Path
) -> ErpGateway:
    return business_central.build(
        name="bc",
        tenant="tenant-1",
        environment="Production",
        company="CRONUS",
        client_id="app-1",
        client_secret=BC_SECRET,
        transport=transport,
        clock=clock,
        limiter=RateLimiter(
            [Window(1200, 60.0), Window(6000, 300.0)], clock=clock, sleep=clock.sleep
        ),
        retry=RetryPolicy(sleep=clock.sleep),
    )


def _qbo(
    router: respx.MockRouter, clock: VirtualClock, transport: httpx.BaseTransport, tmp: Path
) -> ErpGateway:
    (tmp / "qbo.token").write_text("rt-0", encoding="utf-8")
    return quickbooks.build(
        name="qbo",
        realm_id=fake_qbo.REALM,
        client_id="client-1",
        client_secret=QBO_SECRET,
        tokens=FileRefreshTokenStore(tmp / "qbo.token", connector="qbo"),
        transport=transport,
        clock=clock,
        limiter=RateLimiter([Window(500, 60.0), Window(10, 1.0)], clock=clock, sleep=clock.sleep),
        batch_limiter=RateLimiter([quickbooks.BATCH_WINDOW], clock=clock, sleep=clock.sleep),
        retry=RetryPolicy(sleep=clock.sleep),
    )


def _acu(
    router: respx.MockRouter, clock: VirtualClock, transport: httpx.BaseTransport, _tmp: Path
) -> ErpGateway:
    return acumatica.build(
        name="acu",
        site=fake_acumatica.SITE,
        endpoint_version="24.200.001",
        username="apiuser",
        password=ACU_PASSWORD,
        company="MyTenant",
        payment_method="CHECK",
        cash_account="10200",
        transport=transport,
        sleep=clock.sleep,
        requests_per_minute=150,
        limiter=RateLimiter([Window(150, 60.0)], clock=clock, sleep=clock.sleep),
        retry=RetryPolicy(sleep=clock.sleep),
    )


VENDORS = [
    Vendor("business_central", [Window(6000, 300.0)], "6,000 req / 5 min, 1 req/app", 1200, _bc),
    Vendor(
        "quickbooks",
        [Window(500, 60.0), Window(10, 1.0)],
        "40 batches of 30/min",
        1200,
        _qbo,
        [Window(40, 60.0)],
    ),
    Vendor("acumatica", [Window(150, 60.0)], "150 req/min assumed, 1 req/app", 150, _acu),
]


def fake_for(vendor: str, customers: list[Customer], invoices: list[Invoice]) -> object:
    if vendor == "business_central":
        return fake_bc.FakeBusinessCentral(customers, invoices)
    if vendor == "quickbooks":
        return fake_qbo.FakeQuickBooks(customers, invoices)
    return fake_acumatica.FakeAcumatica(customers, invoices)


def run(vendor: Vendor, apps: int, latency: float) -> None:
    customers, invoices = _records(apps)
    fake = fake_for(vendor.name, customers, invoices)
    router = respx.MockRouter(assert_all_called=False)
    fake.install(router)  # type: ignore[attr-defined]  # the fakes share install() but not one base class
    clock = VirtualClock()
    throttled = httpx.Response(429, json={"error": {"code": "Unknown", "message": "throttled"}})
    transport = VendorLimits(
        router, vendor.windows, clock, latency, throttled, batch_windows=vendor.batch_windows
    )
    with tempfile.TemporaryDirectory() as tmp:
        gateway = vendor.build(router, clock, transport, Path(tmp))
        session = getattr(gateway, "session", None)
        started = time.perf_counter()
        if session is not None:
            with session():
                _post_all(gateway, _apps(invoices))
        else:
            _post_all(gateway, _apps(invoices))
        wall = time.perf_counter() - started
    minutes = clock.now / 60
    per_min = apps / minutes
    per_app = transport.requests / apps
    limit_rpm = min(w.limit * 60 / w.seconds for w in vendor.windows)
    best = vendor.best_apps_per_min
    print(
        f"{vendor.name:17s} {apps:6d} apps  {transport.requests:6d} req ({per_app:.2f}/app)  "
        f"429s {transport.rejected:3d}  virtual {minutes:7.2f} min  -> {per_min:7.1f} apps/min  "
        f"10k apps: {10_000 / per_min:6.1f} min  (vendor limit {vendor.limit_note}: best {best:.0f} apps/min, "
        f"share {per_min / best:.0%}; requests at {transport.requests / minutes / limit_rpm:.0%} of the request limit)  wall {wall:.1f} s"
    )


def _post_all(gateway: ErpGateway, apps: list[Application]) -> None:
    if isinstance(gateway, BatchPoster) and ErpCapability.BATCH in gateway.capabilities:
        results = gateway.post_applications(apps)
        failed = [r for r in results if not isinstance(r, PostResult)]
        assert len(results) == len(apps), failed[:1]
        assert not failed, failed[:1]
        return
    for app in apps:
        gateway.post_application(app)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--apps", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.05, help="virtual seconds per request")
    parser.add_argument("--only", choices=[v.name for v in VENDORS])
    args = parser.parse_args()
    configure_logging("warning")
    for vendor in VENDORS:
        if args.only in (None, vendor.name):
            run(vendor, args.apps, args.latency)


if __name__ == "__main__":
    main()
