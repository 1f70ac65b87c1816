"""The item page of a suspected misapplication found in the ERP names the ERP payments."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from arbridge.app import build_app
from arbridge.app.webserver import start_in_thread
from arbridge.config import load_settings
from arbridge.review.limits import WriteOffPolicy
from arbridge.scheduler import run_cycle
from arbridge.web.app import create_app
from arbridge.web.auth import add_user
from tests.web.conftest import PASSWORD
from tests.web.test_web import _item_id, _login

# TX0011 (COBALT RIDGE MINING INV-1006, 1200.00) was recorded by hand on INV-1005
PAYMENTS = """payment_id,customer_id,invoice_id,amount,date,reference,memo
HAND-7,C003,INV-1005,1200.00,2026-11-09,TX0011,keyed from the bank portal
"""


@pytest.fixture
def client(contract_data: Path) -> Iterator[httpx.Client]:
    (contract_data / "erp" / "payments.csv").write_text(PAYMENTS, encoding="utf-8")
    config = contract_data / "arbridge.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(
            "    applications:",
            f"    payments: {contract_data}/erp/payments.csv\n    applications:",
        ),
        encoding="utf-8",
    )
    app = build_app(load_settings(config))
    run_cycle(app.cycle_deps())
    add_user(app.store, "clara", PASSWORD, "clerk")
    review = app.settings.review
    policy = WriteOffPolicy(review.write_off_limit, review.write_off_reasons)
    served = start_in_thread(create_app(app.store, erp="books", write_off=policy))
    with httpx.Client(base_url=served.url, follow_redirects=False) as http:
        yield http
    served.stop()


def test_item_page_shows_the_erp_payment_and_what_is_wrong(client: httpx.Client) -> None:
    _login(client, "clara")

    page = client.get(f"/items/{_item_id(client, 'TX0011')}").text

    assert "suspected_misapplication" in page
    assert '<td id="erp-payments">HAND-7</td>' in page
    assert "the remittance names INV-1006, but INV-1005 was applied" in page
