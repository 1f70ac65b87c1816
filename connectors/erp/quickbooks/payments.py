"""QuickBooks Online: the Payments recorded in the company, as a posted-payments reader.

A `Payment` has `CustomerRef`, `TotalAmt`, `UnappliedAmt`, `TxnDate`, `PaymentRefNum`,
`PrivateNote` and `Line[] = {Amount, LinkedTxn: [{TxnId, TxnType}]}`; a line linked to an
`Invoice` names it by QuickBooks' `Id`, so invoice numbers (`DocNumber`) come from the
line's `LineEx` (`txnReferenceNumber`) or from one Invoice query. Payments that
arbridge posted itself (its `PaymentRefNum`) are left out. Incremental on
`MetaData.LastUpdatedTime`, like invoices.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx

from arbridge.connectors.base import PaymentBatch
from arbridge.connectors.erp._http import (
    HttpClient,
    LimiterFactory,
    RateLimiter,
    RefreshTokenStore,
    RequestLimiter,
    RetryPolicy,
    RotatingRefreshAuth,
    Window,
    jsonbody,
)
from arbridge.connectors.erp._own import is_own_reference
from arbridge.connectors.erp.quickbooks import wire
from arbridge.connectors.erp.quickbooks.gateway import API_HOST, SANDBOX_HOST, TOKEN_URL
from arbridge.connectors.errors import PermanentConnectorError
from arbridge.domain.posted import PostedAllocation, PostedPayment
from arbridge.domain.records import ZERO

MAX_RESULTS = 1000


class QuickBooksPaymentReader:
    """Payments of one QuickBooks Online company (realm), read with the query language."""

    def __init__(self, *, name: str, api: HttpClient, page_size: int = MAX_RESULTS) -> None:
        self._name, self._api, self._page_size = name, api, min(page_size, MAX_RESULTS)

    @property
    def name(self) -> str:
        """The ERP connector's configured name."""
        return self._name

    def fetch_payments_since(self, cursor: str | None) -> PaymentBatch:
        """Payments updated after the cursor (UTC ISO time), or all of them."""
        where = f"WHERE MetaData.LastUpdatedTime > {wire.quote(cursor)}" if cursor else ""
        rows = list(self._query("Payment", where, "ORDERBY MetaData.LastUpdatedTime"))
        numbers = self._invoice_numbers(rows)
        stamps = [s for r in rows if (s := wire.updated_at(r)) is not None]
        if cursor:
            stamps.append(datetime.fromisoformat(cursor))
        payments = [
            payment(r, numbers)
            for r in rows
            if not is_own_reference(str(r.get("PaymentRefNum") or ""))
        ]
        return PaymentBatch(
            payments=payments,
            cursor=max(stamps).isoformat() if stamps else cursor,
            complete=cursor is None,
        )

    def _call(self, params: dict[str, str]) -> dict[str, Any]:
        params = {"minorversion": wire.MINOR_VERSION, **params}
        response = self._api.request(
            "GET", "query", params=params, headers={"Accept": "application/json"}
        )
        body: dict[str, Any] = jsonbody.loads(response.content)
        found = wire.fault(body)
        if found is not None:
            raise PermanentConnectorError(self._name, f"{found[1]}: {found[2]}")
        return body

    def _query(self, entity: str, where: str = "", order: str = "") -> Iterator[dict[str, Any]]:
        start = 1
        while True:
            text = f"SELECT * FROM {entity} {where} {order} STARTPOSITION {start} MAXRESULTS {self._page_size}"  # noqa: S608 - values go through wire.quote
            rows = self._call({"query": " ".join(text.split())}).get("QueryResponse", {})
            found = rows.get(entity, [])
            yield from found
            if len(found) < self._page_size:
                return
            start += self._page_size

    def _invoice_numbers(self, rows: Sequence[dict[str, Any]]) -> dict[str, str]:
        """Invoice `Id` -> `DocNumber` for the linked invoices whose line does not say it."""
        numbers: dict[str, str] = {}
        wanted: set[str] = set()
        for row in rows:
            for txn_id, _, said in _invoice_lines(row):
                if said:
                    numbers[txn_id] = said
                else:
                    wanted.add(txn_id)
        wanted -= set(numbers)
        listing = sorted(wanted)
        for start in range(0, len(listing), self._page_size):
            ids = ", ".join(wire.quote(i) for i in listing[start : start + self._page_size])
            for inv in self._query("Invoice", f"WHERE Id IN ({ids})"):
                numbers[str(inv["Id"])] = wire.invoice_number(inv)
        return numbers


def _invoice_lines(row: dict[str, Any]) -> Iterator[tuple[str, Decimal, str | None]]:
    """(invoice Id, amount, DocNumber if the line says it) of each line linked to an invoice."""
    for line in row.get("Line") or []:
        for linked in line.get("LinkedTxn") or []:
            if linked.get("TxnType") == "Invoice":
                yield str(linked["TxnId"]), wire.money(line.get("Amount", 0)), _said(line)


def _said(line: dict[str, Any]) -> str | None:
    for pair in (line.get("LineEx") or {}).get("any") or []:
        named = pair.get("value") or {}
        if named.get("Name") == "txnReferenceNumber" and named.get("Value"):
            return str(named["Value"])
    return None


def payment(row: dict[str, Any], numbers: dict[str, str]) -> PostedPayment:
    """A `Payment` entity: one allocation per invoice line, `UnappliedAmt` left on account."""
    allocations = [
        PostedAllocation(invoice_id=numbers.get(txn_id, txn_id), amount=amount)
        for txn_id, amount, _ in _invoice_lines(row)
    ]
    unapplied = wire.money(row.get("UnappliedAmt", 0))
    if unapplied > ZERO or not allocations:
        allocations.append(PostedAllocation(invoice_id=None, amount=unapplied))
    return PostedPayment(
        payment_id=str(row["Id"]),
        customer_id=wire.ref(row, "CustomerRef") or "",
        paid_on=date.fromisoformat(row["TxnDate"]),
        allocations=tuple(allocations),
        reference=str(row.get("PaymentRefNum") or ""),
        memo=str(row.get("PrivateNote") or ""),
        updated_at=wire.updated_at(row),
    )


def build_reader(
    *,
    name: str,
    realm_id: str,
    client_id: str,
    client_secret: str,
    tokens: RefreshTokenStore,
    sandbox: bool = False,
    api_url: str | None = None,
    token_url: str = TOKEN_URL,
    requests_per_minute: int = 500,
    timeout: float = 120.0,
    retry: RetryPolicy | None = None,
    limiter: RequestLimiter | None = None,
    limiter_factory: LimiterFactory = RateLimiter,
    transport: httpx.BaseTransport | None = None,
) -> QuickBooksPaymentReader:
    """A reader with its own HTTP client; the rotating refresh token is shared through `tokens`."""
    host = (api_url or (SANDBOX_HOST if sandbox else API_HOST)).rstrip("/")
    http = httpx.Client(
        base_url=f"{host}/v3/company/{realm_id}/",
        timeout=httpx.Timeout(timeout, connect=10.0),
        transport=transport,
    )
    auth = RotatingRefreshAuth(
        connector=name,
        http=http,
        token_url=token_url,
        client_id=client_id,
        client_secret=client_secret,
        store=tokens,
        clock=time.monotonic,
    )
    windows = [Window(requests_per_minute, 60.0), Window(10, 1.0)]
    api = HttpClient(
        connector=name,
        client=http,
        map_error=wire.map_error,
        auth=auth,
        limiter=limiter or limiter_factory(windows),
        retry=retry,
        secrets=(client_secret,),
    )
    return QuickBooksPaymentReader(name=name, api=api)
