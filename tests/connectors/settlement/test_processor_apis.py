"""Stripe's and Shopify's APIs on their documented wire shapes (respx), through real httpx."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from arbridge.connectors.errors import PermanentConnectorError, TransientConnectorError
from arbridge.connectors.settlement import ShopifyPaymentsSource, StripeApiSource
from arbridge.domain.settlements import SettlementCategory

STRIPE = "https://stripe.test"
KEY = "rk_test_51Secret"
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def _stripe(http: httpx.Client) -> StripeApiSource:
    return StripeApiSource(
        name="stripe",
        api_key=KEY,
        api_url=STRIPE,
        lookback_days=30,
        descriptors=("STRIPE",),
        http=http,
        clock=lambda: NOW,
    )


def _payout(pid: str, *, status: str = "paid", automatic: bool = True) -> dict[str, Any]:
    return {
        "id": pid,
        "object": "payout",
        "amount": 169320,
        "currency": "usd",
        "arrival_date": 1764633600,
        "automatic": automatic,
        "status": status,
        "balance_transaction": f"txn_{pid}",
        "trace_id": {"status": "supported", "value": "TRACE123"},
        "statement_descriptor": None,
    }


def _txn(
    tid: str, amount: int, fee: int, category: str = "charge", **source: Any
) -> dict[str, Any]:
    return {
        "id": tid,
        "object": "balance_transaction",
        "amount": amount,
        "fee": fee,
        "net": amount - fee,
        "currency": "usd",
        "reporting_category": category,
        "type": category,
        "description": source.pop("description", None),
        "source": {
            "id": f"ch_{tid}",
            "object": "charge",
            "metadata": source.pop("metadata", {}),
            "billing_details": {"name": source.pop("name", None), "email": None},
        },
        "status": "available",
        "created": 1764547200,
    }


@respx.mock
def test_stripe_payouts_are_paged_and_itemized_in_major_units() -> None:
    """Pages follow `starting_after` until `has_more` is false; cents become dollars."""
    payouts = respx.get(f"{STRIPE}/v1/payouts").mock(
        side_effect=[
            httpx.Response(
                200, json={"object": "list", "has_more": True, "data": [_payout("po_1")]}
            ),
            httpx.Response(
                200,
                json={
                    "object": "list",
                    "has_more": False,
                    "data": [_payout("po_2", automatic=False), _payout("po_3", status="failed")],
                },
            ),
        ]
    )
    txns = respx.get(f"{STRIPE}/v1/balance_transactions").mock(
        return_value=httpx.Response(
            200,
            json={
                "object": "list",
                "has_more": False,
                "data": [
                    _txn(
                        "txn_a",
                        12500,
                        393,
                        metadata={"invoice_number": "INV-1001"},
                        name="Acme Supply",
                    ),
                    _txn("txn_b", -2000, 0, "refund", description="REFUND"),
                    {**_txn("txn_p", -10107, 0, "payout"), "type": "payout"},
                ],
            },
        )
    )
    with httpx.Client() as http:
        (batch,) = list(_stripe(http).batches(lambda _fp: False))
    (payout,) = batch.payouts
    assert (payout.payout_id, payout.trace_id, payout.currency) == ("po_1", "TRACE123", "USD")
    assert [i.item_id for i in payout.items] == ["txn_a", "txn_b"]
    assert (payout.items[0].gross, payout.items[0].fee, payout.items[0].net) == (
        Decimal("125.00"),
        Decimal("3.93"),
        Decimal("121.07"),
    )
    assert payout.items[0].reference == "INV-1001"
    assert payout.items[1].category is SettlementCategory.REFUND
    assert payouts.calls[1].request.url.params["starting_after"] == "po_1"
    assert payouts.calls[0].request.headers["authorization"] == f"Bearer {KEY}"
    assert txns.calls[0].request.url.params["payout"] == "po_1"
    assert txns.calls[0].request.url.params["expand[]"] == "data.source"


@respx.mock
def test_known_payouts_are_not_fetched_again() -> None:
    """A payout read before costs no balance-transaction calls."""
    respx.get(f"{STRIPE}/v1/payouts").mock(
        return_value=httpx.Response(200, json={"has_more": False, "data": [_payout("po_1")]})
    )
    txns = respx.get(f"{STRIPE}/v1/balance_transactions")
    with httpx.Client() as http:
        assert list(_stripe(http).batches(lambda fp: fp == "po_1")) == []
    assert not txns.called


@respx.mock
def test_stripe_rate_limits_are_waited_out() -> None:
    """A 429 with Retry-After is retried; the next answer is used."""
    respx.get(f"{STRIPE}/v1/payouts").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "0"}),
            httpx.Response(200, json={"has_more": False, "data": []}),
        ]
    )
    with httpx.Client() as http:
        assert list(_stripe(http).batches(lambda _fp: False)) == []


@respx.mock
def test_a_refused_key_is_permanent_and_never_echoed() -> None:
    """401 names Stripe's message, not the key."""
    respx.get(f"{STRIPE}/v1/payouts").mock(
        return_value=httpx.Response(
            401,
            json={
                "error": {
                    "type": "invalid_request_error",
                    "message": "Invalid API Key provided: rk_test_****cret",
                }
            },
        )
    )
    with httpx.Client() as http, pytest.raises(PermanentConnectorError) as caught:
        list(_stripe(http).batches(lambda _fp: False))
    assert KEY not in str(caught.value)
    assert "HTTP 401" in str(caught.value)


@respx.mock
def test_a_stripe_outage_is_transient() -> None:
    """503 on every attempt: the cycle tries again later."""
    respx.get(f"{STRIPE}/v1/payouts").mock(return_value=httpx.Response(503))
    with httpx.Client() as http, pytest.raises(TransientConnectorError, match="HTTP 503"):
        list(
            StripeApiSource(
                name="s",
                api_key=KEY,
                api_url=STRIPE,
                lookback_days=1,
                descriptors=("STRIPE",),
                http=http,
            ).batches(lambda _fp: False)
        )


SHOP = "https://acme.myshopify.test/admin/api/2025-01"


@respx.mock
def test_shopify_payouts_follow_link_pages_and_read_orders() -> None:
    """Payouts and transactions page by `Link: rel=next`; the order gives the reference and customer."""
    nxt = f'<{SHOP}/shopify_payments/payouts.json?page_info=abc&limit=250>; rel="next"'
    respx.get(f"{SHOP}/shopify_payments/payouts.json", params={"page_info": "abc"}).mock(
        return_value=httpx.Response(
            200,
            json={
                "payouts": [
                    {
                        "id": 2,
                        "status": "paid",
                        "date": "2026-11-20",
                        "currency": "USD",
                        "amount": "0.00",
                    }
                ]
            },
        )
    )
    respx.get(f"{SHOP}/shopify_payments/payouts.json", params={"status": "paid"}).mock(
        return_value=httpx.Response(
            200,
            headers={"Link": nxt},
            json={
                "payouts": [
                    {
                        "id": 1,
                        "status": "paid",
                        "date": "2026-11-19",
                        "currency": "USD",
                        "amount": "121.07",
                    }
                ]
            },
        )
    )
    respx.get(f"{SHOP}/shopify_payments/balance/transactions.json").mock(
        return_value=httpx.Response(
            200,
            json={
                "transactions": [
                    {
                        "id": 699519475,
                        "type": "charge",
                        "test": False,
                        "payout_id": 1,
                        "payout_status": "paid",
                        "currency": "USD",
                        "amount": "125.00",
                        "fee": "3.93",
                        "net": "121.07",
                        "source_id": 1058262932,
                        "source_type": "charge",
                        "source_order_transaction_id": 1175535628,
                        "source_order_id": 5150339072,
                        "processed_at": "2026-11-18T10:01:09-04:00",
                        "adjustment_reason": None,
                    },
                ]
            },
        )
    )
    orders = respx.get(f"{SHOP}/orders/5150339072.json").mock(
        return_value=httpx.Response(
            200,
            json={
                "order": {
                    "name": "#1001",
                    "email": "ap@acme.test",
                    "customer": {"first_name": "Acme", "last_name": "Supply"},
                }
            },
        )
    )
    source = ShopifyPaymentsSource(
        name="shop",
        access_token="shpat_secret",
        api_url="https://acme.myshopify.test",
        api_version="2025-01",
        lookback_days=30,
        descriptors=("SHOPIFY",),
        http=httpx.Client(),
        clock=lambda: NOW,
    )
    batches = list(source.batches(lambda _fp: False))
    assert [b.fingerprint for b in batches] == ["1", "2"]
    item = batches[0].payouts[0].items[0]
    assert (item.reference, item.customer_name, item.net) == (
        "#1001",
        "Acme Supply",
        Decimal("121.07"),
    )
    assert orders.calls[0].request.headers["x-shopify-access-token"] == "shpat_secret"
