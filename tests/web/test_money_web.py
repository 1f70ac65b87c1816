"""The item page shows the money ledger's refusals as they are."""

from __future__ import annotations

import re

import httpx

from arbridge.app import App
from tests.web.conftest import PASSWORD


def _login(client: httpx.Client) -> str:
    client.post("/login", data={"name": "clara", "password": PASSWORD})
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/").text)
    assert token is not None
    return token.group(1)


def test_the_split_form_refuses_a_third_decimal_and_nan_naming_the_field(
    demo: App, client: httpx.Client
) -> None:
    csrf = _login(client)
    [item] = [i for i in demo.queue.open_items() if i.bank_transaction_id == "TX0005"]
    url = f"/items/{item.item_id}/apply"

    third = client.post(
        url,
        data={"csrf": csrf, "invoice": ["INV-1007", "INV-1008"], "amount": ["759.995", "0.005"]},
    )
    third_page = client.get(third.headers["location"]).text  # the message is shown once
    nan = client.post(
        url, data={"csrf": csrf, "invoice": ["INV-1007", "INV-1008"], "amount": ["NaN", "760.00"]}
    )
    nan_page = client.get(nan.headers["location"]).text

    assert "INV-1007: &#39;759.995&#39; has more than two decimals" in third_page
    assert "INV-1007: &#39;NaN&#39; is not an amount" in nan_page
    assert demo.queue.show(item.item_id)[0].status == "open"
