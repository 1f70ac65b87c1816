"""The live ERP stand-in: a real process over real HTTP, the real gateway pointed at it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import httpx
import pytest

from arbridge.connectors.base import PostOutcome
from arbridge.connectors.erp import business_central
from arbridge.domain.records import Allocation, Application
from bench.erp_fakes.livedata import records


@pytest.fixture
def stand_in() -> Iterator[str]:
    command = [sys.executable, "-m", "bench.erp_fakes.live", "--vendor", "business_central"]
    process = subprocess.Popen([*command, "--invoices", "20"], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    try:
        word, port = process.stdout.readline().split()
        assert word == "LISTENING"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def test_the_gateway_posts_to_the_stand_in_and_its_ledger_shows_each_payment_once(
    stand_in: str,
) -> None:
    _customers, invoices = records(20)
    gateway = business_central.build(
        name="books",
        tenant="tenant-1",
        environment="Production",
        company="CRONUS",
        client_id="app-1",
        client_secret="s3cret-value",
        api_url=stand_in,
        token_url=stand_in + "/{tenant}/oauth2/v2.0/token",
    )
    assert len(gateway.fetch_invoices()) == 20
    apps = [
        business_central_app(n, inv.invoice_id, inv.customer_id, inv.open_amount)
        for n, inv in enumerate(invoices[:3])
    ]
    first = gateway.post_applications(apps)
    again = gateway.post_applications(apps)
    gateway._api.http.close()  # the connection to the stand-in, before it stops

    assert [getattr(r, "outcome", None) for r in first] == [PostOutcome.POSTED] * 3
    assert [getattr(r, "outcome", None) for r in again] == [PostOutcome.ALREADY_POSTED] * 3
    report = httpx.get(f"{stand_in}/_bench/ledger").json()
    assert sorted(invoice for _doc, invoice in report["ledger"]) == [
        i.invoice_id for i in invoices[:3]
    ]
    assert report["calls"]["batch"] == 1  # three applications of one line: one $batch


def business_central_app(n: int, invoice: str, customer: str, amount: Decimal) -> Application:
    return Application(
        idempotency_key=f"erp:operating:BT{n}",
        bank_account="operating",
        bank_id=f"BT{n}",
        customer_id=customer,
        booked_on=date(2026, 11, 2),
        amount=amount,
        allocations=(Allocation(invoice_id=invoice, customer_id=customer, amount=amount),),
    )


def test_the_live_bench_runs_without_test_tools() -> None:
    code = (
        "import sys; sys.modules['respx'] = None; sys.modules['pytest'] = None; "
        "import bench.erp_live, bench.erp_fakes.live"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
