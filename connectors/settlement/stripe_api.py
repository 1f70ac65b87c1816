"""Stripe's API: automatic payouts and the balance transactions of each (restricted key, read only).

`GET /v1/payouts` (arrival since the lookback) and, for each payout not read before,
`GET /v1/balance_transactions?payout=...&expand[]=data.source`, both paged with
`starting_after` until `has_more` is false. Amounts are minor units in the API (cents;
whole units for zero-decimal currencies). The invoice reference is the charge's metadata
(`invoice_number`, `invoice`, `invoice_id`, `order_id`) or else the transaction's
description. Each payout is its own batch (fingerprint: the payout id).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from arbridge.connectors.settlement._http import get_json
from arbridge.connectors.settlement_base import SettlementBatch
from arbridge.domain.settlements import Payout, SettlementCategory, SettlementItem

ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
"""Currencies whose API amounts are whole units (Stripe's zero-decimal list)."""
META_KEYS = ("invoice_number", "invoice", "invoice_id", "invoice_no", "order_id")
PAGE = 100


class StripeApiSource:
    """Payouts and their transactions from Stripe's API."""

    def __init__(
        self,
        *,
        name: str,
        api_key: str,
        api_url: str,
        lookback_days: int,
        descriptors: tuple[str, ...],
        http: httpx.Client,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._name = name
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self._url = api_url.rstrip("/")
        self._lookback = timedelta(days=lookback_days)
        self._descriptors = descriptors
        self._http = http
        self._clock = clock

    @property
    def name(self) -> str:
        """The source's configured name."""
        return self._name

    @property
    def processor(self) -> str:
        """Always `stripe`."""
        return "stripe"

    @property
    def descriptors(self) -> tuple[str, ...]:
        """Bank text that marks Stripe deposits."""
        return self._descriptors

    def batches(self, known: Callable[[str], bool]) -> Iterator[SettlementBatch]:
        """One batch per itemizable payout (automatic, paid or in transit) not read before."""
        since = int((self._clock() - self._lookback).timestamp())
        params = {"arrival_date[gte]": since}
        for payout in self._pages("/v1/payouts", params):
            if not payout.get("automatic") or payout.get("status") not in {"paid", "in_transit"}:
                continue
            if known(payout["id"]):
                continue
            yield SettlementBatch(
                label=f"{self._url}/v1/payouts/{payout['id']}",
                fingerprint=payout["id"],
                payouts=[self._payout(payout)],
            )

    def put_away(self, batch: SettlementBatch) -> None:
        """Nothing to move: the store remembers each payout id."""

    def _payout(self, data: dict[str, Any]) -> Payout:
        currency = str(data["currency"]).upper()
        params = {"payout": data["id"], "expand[]": "data.source"}
        items = [
            _item(txn, currency)
            for txn in self._pages("/v1/balance_transactions", params)
            if txn.get("type") != "payout" and txn.get("reporting_category") != "payout"
        ]
        trace = data.get("trace_id") or {}
        return Payout(
            processor="stripe",
            payout_id=str(data["id"]),
            effective_on=_day(data["arrival_date"]),
            currency=currency,
            items=tuple(items),
            trace_id=str(trace.get("value") or "") if isinstance(trace, dict) else "",
            source_file=f"stripe api payout {data['id']}",
        )

    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        after: str | None = None
        while True:
            query = {**params, "limit": PAGE, **({"starting_after": after} if after else {})}
            body, _ = get_json(
                self._http, self._name, self._url + path, headers=self._headers, params=query
            )
            data = body.get("data", [])
            yield from data
            if not body.get("has_more") or not data:
                return
            after = data[-1]["id"]


def _item(txn: dict[str, Any], currency: str) -> SettlementItem:
    source = txn.get("source") if isinstance(txn.get("source"), dict) else {}
    assert isinstance(source, dict)
    metadata = source.get("metadata") or {}
    billing = source.get("billing_details") or {}
    reference = next((str(metadata[k]) for k in META_KEYS if metadata.get(k)), "")
    return SettlementItem(
        item_id=str(txn["id"]),
        category=SettlementCategory.of(str(txn.get("reporting_category") or txn.get("type") or "")),
        gross=_major(txn["amount"], currency),
        fee=_major(txn["fee"], currency),
        net=_major(txn["net"], currency),
        currency=currency,
        reference=reference,
        description=str(txn.get("description") or source.get("description") or ""),
        customer_name=str(billing.get("name") or ""),
        customer_email=str(billing.get("email") or source.get("receipt_email") or ""),
        charge_id=str(source.get("id") or txn.get("source") or ""),
    )


def _major(minor: int, currency: str) -> Decimal:
    value = Decimal(int(minor))
    return value if currency in ZERO_DECIMAL else (value / 100).quantize(Decimal("0.01"))


def _day(unix: int) -> date:
    return datetime.fromtimestamp(int(unix), UTC).date()
