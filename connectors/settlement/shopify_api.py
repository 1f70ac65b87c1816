"""Shopify Payments payouts and balance transactions (Admin REST API, access token).

Chosen as the second processor for reach: Shopify Payments settles most small and
mid-size US/EU web shops, and, like Stripe, ties every balance transaction to its payout
(`payout_id`), so a payout can be itemized exactly (PayPal's settlement report does not
tie transactions to bank withdrawals). `GET .../shopify_payments/payouts.json` (paid, since
the lookback) and `GET .../shopify_payments/balance/transactions.json?payout_id=...`,
paged by the `Link: <...page_info=...>; rel="next"` header. Money comes as decimal
strings. A charge's order is read once (`orders/{id}.json?fields=name,email,customer`) for
its order name as the reference and the customer's name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from arbridge.connectors.settlement._http import get_json
from arbridge.connectors.settlement_base import SettlementBatch
from arbridge.domain.settlements import Payout, SettlementCategory, SettlementItem

_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


class ShopifyPaymentsSource:
    """Paid Shopify Payments payouts and what each settles."""

    def __init__(
        self,
        *,
        name: str,
        access_token: str,
        api_url: str,
        api_version: str,
        lookback_days: int,
        descriptors: tuple[str, ...],
        http: httpx.Client,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._name = name
        self._headers = {"X-Shopify-Access-Token": access_token, "Accept": "application/json"}
        self._base = f"{api_url.rstrip('/')}/admin/api/{api_version}"
        self._lookback = timedelta(days=lookback_days)
        self._descriptors = descriptors
        self._http = http
        self._clock = clock
        self._orders: dict[str, dict[str, Any]] = {}

    @property
    def name(self) -> str:
        """The source's configured name."""
        return self._name

    @property
    def processor(self) -> str:
        """Always `shopify`."""
        return "shopify"

    @property
    def descriptors(self) -> tuple[str, ...]:
        """Bank text that marks Shopify deposits."""
        return self._descriptors

    def batches(self, known: Callable[[str], bool]) -> Iterator[SettlementBatch]:
        """One batch per paid payout not read before."""
        since = (self._clock() - self._lookback).date().isoformat()
        url = f"{self._base}/shopify_payments/payouts.json"
        for payout in self._pages(url, {"status": "paid", "date_min": since}, "payouts"):
            payout_id = str(payout["id"])
            if known(payout_id):
                continue
            yield SettlementBatch(label=url, fingerprint=payout_id, payouts=[self._payout(payout)])

    def put_away(self, batch: SettlementBatch) -> None:
        """Nothing to move: the store remembers each payout id."""

    def _payout(self, data: dict[str, Any]) -> Payout:
        url = f"{self._base}/shopify_payments/balance/transactions.json"
        rows = self._pages(url, {"payout_id": data["id"]}, "transactions")
        items = [self._item(t) for t in rows if t.get("type") != "payout"]
        return Payout(
            processor="shopify",
            payout_id=str(data["id"]),
            effective_on=date.fromisoformat(str(data["date"])[:10]),
            currency=str(data["currency"]).upper(),
            items=tuple(items),
            source_file=f"shopify payout {data['id']}",
        )

    def _item(self, txn: dict[str, Any]) -> SettlementItem:
        order = self._order(txn.get("source_order_id"))
        customer = order.get("customer") or {}
        name = " ".join(str(customer.get(k) or "") for k in ("first_name", "last_name")).strip()
        return SettlementItem(
            item_id=str(txn["id"]),
            category=SettlementCategory.of(str(txn.get("type") or "")),
            gross=Decimal(str(txn["amount"])),
            fee=Decimal(str(txn["fee"])),
            net=Decimal(str(txn["net"])),
            currency=str(txn["currency"]).upper(),
            reference=str(order.get("name") or ""),
            description=f"order {order.get('name') or txn.get('source_order_id') or ''}".strip(),
            customer_name=name or str(customer.get("company") or ""),
            customer_email=str(order.get("email") or ""),
            charge_id=str(txn.get("source_id") or ""),
        )

    def _order(self, order_id: object) -> dict[str, Any]:
        if not order_id:
            return {}
        key = str(order_id)
        if key not in self._orders:
            url = f"{self._base}/orders/{key}.json"
            body, _ = get_json(
                self._http,
                self._name,
                url,
                headers=self._headers,
                params={"fields": "name,email,customer"},
            )
            self._orders[key] = body.get("order") or {}
        return self._orders[key]

    def _pages(self, url: str, params: dict[str, Any], key: str) -> Iterator[dict[str, Any]]:
        query: dict[str, Any] | None = {**params, "limit": 250}
        next_url: str | None = url
        while next_url:
            body, headers = get_json(
                self._http, self._name, next_url, headers=self._headers, params=query
            )
            yield from body.get(key, [])
            found = _NEXT.search(headers.get("link", ""))
            next_url, query = (found.group(1), None) if found else (None, None)
