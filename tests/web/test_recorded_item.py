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
    yield from _serve(contract_data)


def _serve(contract_data: Path, payments: str = PAYMENTS) -> Iterator[httpx.Client]:
    (contract_data / "erp" / "payments.csv").write_text(payments, encoding="utf-8")
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


def test_correct_is_one_action_away_and_posts_the_reversal_then_the_line(
    contract_data: Path,
) -> None:
    served = _serve(contract_data)
    client = next(served)
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0011")
    page = client.get(f"/items/{item}").text
    assert '<td class="code">HAND-7</td>' in page
    assert "The engine would have applied 1,200.00 to INV-1006" in page
    assert 'action="/items/' + str(item) + '/apply"' not in page  # no second posting offered

    answer = client.post(
        f"/items/{item}/correct-recorded",
        data={"csrf": csrf, "reason": "remittance named INV-1006"},
    )
    assert answer.status_code == 303
    app = build_app(load_settings(contract_data / "arbridge.yaml"))
    run_cycle(app.cycle_deps())

    reversals = (contract_data / "out" / "payment_reversals.csv").read_text(encoding="utf-8")
    assert "HAND-7,INV-1005,C003,-1200.00,TX0011," in reversals
    applied = (contract_data / "out" / "applications.csv").read_text(encoding="utf-8")
    assert "TX0011,INV-1006,C003,1200.00," in applied
    assert "reverse ERP payment HAND-7" in client.get(f"/items/{item}").text
    next(served, None)


ON_ACCOUNT = """payment_id,customer_id,invoice_id,amount,date,reference,memo
HAND-9,C004,,760.00,2026-11-04,TX0005,for INV-1008
"""


def test_cash_left_on_account_is_applied_in_one_action(contract_data: Path) -> None:
    served = _serve(contract_data, ON_ACCOUNT)
    client = next(served)
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0005")
    page = client.get(f"/items/{item}").text
    assert "Cash on account that pays open invoices" in page
    assert "Recorded again as 760.00 to INV-1008" in page
    assert "Apply: reverse HAND-9 and record it again as shown" in page

    answer = client.post(
        f"/items/{item}/correct-recorded",
        data={"csrf": csrf, "reason": "apply the cash left on account"},
    )
    assert answer.status_code == 303
    app = build_app(load_settings(contract_data / "arbridge.yaml"))
    run_cycle(app.cycle_deps())

    applied = (contract_data / "out" / "applications.csv").read_text(encoding="utf-8")
    assert "TX0005,INV-1008,C004,760.00," in applied
    next(served, None)
