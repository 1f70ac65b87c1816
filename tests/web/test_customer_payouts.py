"""The customer page and a payout shared by several customers: each sees only its own part."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from arbridge.app import App, build_app
from arbridge.app.webserver import start_in_thread
from arbridge.config import load_settings
from arbridge.scheduler import run_cycle
from arbridge.store.tables import ApplicationRow
from arbridge.web.app import create_app
from arbridge.web.auth import add_user
from tests.connectors.settlement.stripe_files import row, write
from tests.web.conftest import PASSWORD

DAY = datetime.now(UTC).date() - timedelta(days=1)
SETTLEMENTS = "  settlements:\n    - name: stripe\n      kind: stripe_report\n      path: {data}/settlements\n"
# One Stripe payout paying an invoice of each of three customers: 1,975.08 net in the bank.
CHARGES = [
    ("txn_01", "INV-2001", "C001", "Acme Industrial Supply Inc", "640.00", "18.86"),
    ("txn_02", "INV-2002", "C002", "Brightwater Foods LLC", "215.00", "6.54"),
    ("txn_03", "INV-2003", "C003", "Cobalt Ridge Mining Corp", "1180.00", "34.52"),
]


def _add_payout(data: Path) -> None:
    (data / "settlements").mkdir()
    effective = f"{DAY.isoformat()} 00:00:00"
    rows = [
        row(
            "po_1QxA",
            txn,
            gross,
            fee,
            effective=effective,
            customer_name=name,
            **{"payment_metadata[invoice_number]": inv},
        )
        for txn, inv, _, name, gross, fee in CHARGES
    ]
    write(data / "settlements" / "payouts.csv", rows)
    due = DAY + timedelta(days=20)
    with (data / "erp" / "invoices.csv").open("a", encoding="utf-8") as fh:
        for _, inv, customer, _, gross, _ in CHARGES:
            fh.write(
                f"{inv},{customer},{DAY - timedelta(days=10)},{due},{gross},{gross},USD,NET30,\n"
            )
    with (data / "bank" / "stripe.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Date", "Description", "Amount", "Transaction ID"])
        writer.writerow([DAY.strftime("%m/%d/%Y"), "STRIPE TRANSFER ST-Q4X7", "1975.08", "TX0101"])
    config = data / "arbridge.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + SETTLEMENTS.format(data=data), encoding="utf-8"
    )


@pytest.fixture
def shared(contract_data_any_store: Path) -> Iterator[tuple[App, httpx.Client]]:
    """The demo with the payout applied by one cycle, served, with clara logged in."""
    _add_payout(contract_data_any_store)
    app = build_app(load_settings(contract_data_any_store / "arbridge.yaml"))
    run_cycle(app.cycle_deps())
    add_user(app.store, "clara", PASSWORD, "clerk")
    served = start_in_thread(create_app(app.store, erp="books"))
    with httpx.Client(base_url=served.url, follow_redirects=False) as client:
        assert (
            client.post("/login", data={"name": "clara", "password": PASSWORD}).status_code == 303
        )
        yield app, client
    served.stop()
    app.store.dispose()


def _payments(client: httpx.Client, customer: str) -> str:
    found = re.search(
        r'id="payments">(.*?)</section>', client.get(f"/customers/{customer}").text, re.S
    )
    assert found is not None
    return found.group(1)


def test_each_customer_sees_only_its_own_part_of_a_shared_payout(
    shared: tuple[App, httpx.Client],
) -> None:
    app, client = shared
    with app.store.transaction() as session:
        applied = [a for a in session.exec(select(ApplicationRow)) if len(a.allocations) == 3]
    assert len(applied) == 1, "the payout was applied as one application over three customers"
    for _, invoice, customer, _, gross, fee in CHARGES:
        section = _payments(client, customer)
        own = f"{invoice} {float(gross) - float(fee):.2f}"
        assert "TX0101" in section, customer
        assert own in section, customer
        others = [c[1] for c in CHARGES if c[1] != invoice]
        assert not any(other in section for other in others), (customer, section)
        assert "part of payout TX0101 shared with 2 other customers" in section, customer
