"""Acumatica posting on several sessions at once; lost answers read back, never posted twice."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import respx

from arbridge.connectors.base import PostOutcome
from arbridge.connectors.erp import acumatica
from arbridge.connectors.erp._http import RateLimiter
from arbridge.domain.records import Allocation, Application
from bench.erp_fakes import fake_acumatica, routes
from bench.erp_fakes.fault import LOSE, TIMEOUT
from tests.contracts.harness import NO_RETRY_SLEEP, build_acumatica, demo_records

Acu = tuple[fake_acumatica.FakeAcumatica, respx.MockRouter]


@pytest.fixture
def acu(tmp_path: Path) -> Iterator[Acu]:
    customers, invoices = demo_records(tmp_path)
    fake = fake_acumatica.FakeAcumatica(customers, invoices)
    with respx.mock(assert_all_called=False) as router:
        yield fake, router


def _app(n: int) -> Application:
    return Application(
        idempotency_key=f"acu:operating:TX{n}",
        bank_account="operating",
        bank_id=f"TX{n}",
        customer_id="C001",
        booked_on=date(2026, 11, 2),
        amount=Decimal("1.00"),
        allocations=(Allocation(invoice_id="INV-1001", customer_id="C001", amount=Decimal("1")),),
    )


class InFlight:
    """Wraps the fake's handlers: counts requests at once, and the sessions they came on."""

    def __init__(self, fake: fake_acumatica.FakeAcumatica) -> None:
        self.now = self.peak = 0
        self.sessions: set[str] = set()
        self._lock = threading.Lock()
        self._routes = [
            routes.Route(r.method, r.origin, r.path, self._timed(r.handler), r.regex)
            for r in fake.routes()
        ]

    def install(self, router: respx.MockRouter) -> None:
        routes.install(router, self._routes)

    def _timed(self, handler: routes.Handler) -> routes.Handler:
        def counted(request: httpx.Request) -> httpx.Response:
            with self._lock:
                self.now += 1
                self.peak = max(self.peak, self.now)
                if sid := fake_acumatica.session_of(request):
                    self.sessions.add(sid)
            try:
                time.sleep(0.01)  # long enough for the other lane to overlap
                return handler(request)
            finally:
                with self._lock:
                    self.now -= 1

        return counted


def _gateway(concurrent: int) -> acumatica.AcumaticaErpGateway:
    return acumatica.build(
        name="acu",
        site=fake_acumatica.SITE,
        endpoint_version="24.200.001",
        username="apiuser",
        password="acu-s3cret",
        company="MyTenant",
        payment_method="CHECK",
        cash_account="10200",
        concurrent_requests=concurrent,
        retry=NO_RETRY_SLEEP,
        limiter=RateLimiter(()),
        sleep=lambda _s: None,
    )


@pytest.mark.parametrize("concurrent", [1, 2, 3])
def test_requests_in_flight_never_exceed_the_licensed_concurrency(
    acu: Acu, concurrent: int
) -> None:
    fake, router = acu
    fake.seats = 3
    watch = InFlight(fake)
    watch.install(router)

    results = _gateway(concurrent).post_applications([_app(n) for n in range(12)])

    assert [getattr(r, "outcome", None) for r in results] == [PostOutcome.POSTED] * 12
    assert watch.peak == concurrent  # used, and never more
    assert len(watch.sessions) == concurrent  # each lane its own session (licence seat)
    assert fake.logins == fake.logouts == concurrent
    assert fake.sessions == set()
    assert len({p["PaymentRef"]["value"] for p in fake.payments.values()}) == 12


def test_a_lane_whose_login_is_refused_sits_out_and_the_others_post(acu: Acu) -> None:
    fake, router = acu
    fake.seats = 1  # the second session's login meets "API Login Limit"
    gateway = build_acumatica(router, fake, concurrent_requests=2)

    with gateway.session():  # as the push holds it: several posting calls
        first = gateway.post_applications([_app(n) for n in range(4)])
        attempts = fake.faults.calls["login"]
        second = gateway.post_applications([_app(n) for n in range(4, 8)])

    assert [getattr(r, "outcome", None) for r in first + second] == [PostOutcome.POSTED] * 8
    assert len(fake.payments) == 8
    assert fake.faults.calls["login"] == attempts  # not tried again within the scope
    assert fake.sessions == set()


def _find_filters(router: respx.MockRouter) -> list[str]:
    return [
        c.request.url.params.get("$filter", "")
        for c in router.calls
        if c.request.method == "GET" and c.request.url.path.endswith("/Payment")
    ]


def test_a_put_that_hangs_is_read_back_and_sent_again_only_when_not_found(acu: Acu) -> None:
    """The PUT never reached Acumatica (no answer): the read-back finds nothing, one more PUT."""
    fake, router = acu
    fake.faults.add("put", TIMEOUT)

    result = build_acumatica(router, fake, concurrent_requests=1).post_application(_app(1))

    assert result.outcome is PostOutcome.POSTED
    assert fake.faults.calls["put"] == 2
    assert len(fake.payments) == 1
    read_back = [f for f in _find_filters(router) if "CustomerID eq 'C001'" in f]
    assert len(read_back) == 1
    assert re.match(r"PaymentRef eq 'TX1-[0-9a-f]{8}'", read_back[0])
    assert fake.invoices["INV-1001"].open_amount == Decimal("1249.00")


def test_a_put_whose_answer_is_lost_is_found_by_the_read_back_and_not_sent_again(
    acu: Acu,
) -> None:
    fake, router = acu
    fake.faults.add("put", LOSE, LOSE)
    apps = [_app(1), _app(2), _app(3)]

    results = build_acumatica(router, fake).post_applications(apps)

    assert [getattr(r, "outcome", None) for r in results] == [PostOutcome.POSTED] * 3
    assert fake.faults.calls["put"] == 3
    assert len(fake.payments) == 3
    assert {p["Status"]["value"] for p in fake.payments.values()} == {"Closed"}
    assert fake.invoices["INV-1001"].open_amount == Decimal("1247.00")


def test_a_release_whose_answer_is_lost_is_settled_by_the_status_read(acu: Acu) -> None:
    """Released though the answer was lost: the status says so; no second release, no poll."""
    fake, router = acu
    fake.faults.add("release", LOSE)

    result = build_acumatica(router, fake).post_application(_app(1))

    assert result.outcome is PostOutcome.POSTED
    assert fake.faults.calls["release"] == 1
    assert fake.faults.calls["poll"] == 0
    assert fake.invoices["INV-1001"].open_amount == Decimal("1249.00")


def test_a_release_that_never_arrived_is_started_again_after_the_status_read(acu: Acu) -> None:
    fake, router = acu
    fake.faults.add("release", TIMEOUT)

    result = build_acumatica(router, fake).post_application(_app(1))

    assert result.outcome is PostOutcome.POSTED
    assert fake.faults.calls["release"] == 2
    assert len(fake.payments) == 1
    assert {p["Status"]["value"] for p in fake.payments.values()} == {"Closed"}
    assert fake.invoices["INV-1001"].open_amount == Decimal("1249.00")
