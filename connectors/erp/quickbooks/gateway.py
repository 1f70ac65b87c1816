"""QuickBooks Online gateway: query-language reads, Payments with LinkedTxn lines, void to reverse.

Exactly once, twice over: before posting, the Payment carrying our reference in
`PaymentRefNum` is looked up; the POST itself carries a `requestid` derived from
the idempotency key, so a retry after a lost response replays the original answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx

from arbridge.connectors.base import (
    ErpCapability,
    InvoiceBatch,
    PostOutcome,
    PostResult,
    needed_capabilities,
)
from arbridge.connectors.erp._http import (
    HttpClient,
    HttpFailure,
    LimiterFactory,
    RateLimiter,
    RefreshTokenStore,
    RequestLimiter,
    RetryPolicy,
    RotatingRefreshAuth,
    Verdict,
    Window,
    jsonbody,
)
from arbridge.connectors.erp._http.batching import post_in_chunks
from arbridge.connectors.erp.quickbooks import wire
from arbridge.connectors.errors import ConnectorError, RecordRejectedError
from arbridge.domain.records import Application, Customer, Invoice

CAPABILITIES = frozenset(
    {
        ErpCapability.INCREMENTAL,
        ErpCapability.UNAPPLIED_CREDIT,
        ErpCapability.REVERSE,
        ErpCapability.BATCH,
    }
)
CHUNK = 30
API_HOST = "https://quickbooks.api.intuit.com"
SANDBOX_HOST = "https://sandbox-quickbooks.api.intuit.com"
TOKEN_URL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"  # noqa: S105 - a URL
MAX_RESULTS = 1000
PAYMENT_REF_LEN = 16


@dataclass
class _Seen:
    """What one read told us: our Payments by reference, invoices' Id and balance by number."""

    payments: dict[str, str] = field(default_factory=dict)
    invoices: dict[str, tuple[str, Decimal]] = field(default_factory=dict)


def _payment_ref(application: Application) -> str:
    return wire.digest("AB", application.idempotency_key, PAYMENT_REF_LEN)


class QuickBooksErpGateway:
    """One QuickBooks Online company (realm)."""

    def __init__(
        self,
        *,
        name: str,
        api: HttpClient,
        currency: str = "USD",
        page_size: int = MAX_RESULTS,
        sales_rep_field: str | None = None,
    ) -> None:
        self._name, self._api, self._currency = name, api, currency
        self._page_size = min(page_size, MAX_RESULTS)
        self._rep_field = sales_rep_field

    @property
    def name(self) -> str:
        """The connector's configured name."""
        return self._name

    @property
    def capabilities(self) -> frozenset[ErpCapability]:
        """Incremental reads, unapplied credit, reversal by void; no discount or write-off lines."""
        return CAPABILITIES

    # ------------------------------------------------------------------ reading
    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        params = {"minorversion": wire.MINOR_VERSION, **kwargs.pop("params", {})}
        headers = {"Accept": "application/json"}
        response = self._api.request(method, path, params=params, headers=headers, **kwargs)
        body: dict[str, Any] = jsonbody.loads(response.content)
        found = wire.fault(body)
        if found is not None:  # a 200 can still carry a Fault
            raise HttpFailure(
                wire.TYPE_VERDICTS.get(found[0].lower(), Verdict.REJECTED),
                response.status_code,
                found[1],
                found[2],
            ).to_error(self._name)
        return body

    def _query(self, entity: str, where: str = "", order: str = "") -> Iterator[dict[str, Any]]:
        """Every row of a query, paging with STARTPOSITION/MAXRESULTS until a short page."""
        start = 1
        while True:
            text = f"SELECT * FROM {entity} {where} {order} STARTPOSITION {start} MAXRESULTS {self._page_size}"  # noqa: S608 - values go through wire.quote
            page = self._call("GET", "query", params={"query": " ".join(text.split())})
            rows = page.get("QueryResponse", {}).get(entity, [])
            yield from rows
            if len(rows) < self._page_size:
                return
            start += self._page_size

    def fetch_customers(self) -> Sequence[Customer]:
        """Every customer."""
        return [wire.customer(c, self._currency) for c in self._query("Customer")]

    def fetch_invoices(self) -> Sequence[Invoice]:
        """Invoices with a balance."""
        return self.fetch_invoices_since(None).invoices

    def fetch_invoices_since(self, cursor: str | None) -> InvoiceBatch:
        """Open invoices (no cursor) or all invoices updated after the cursor (UTC ISO time)."""
        where = (
            f"WHERE MetaData.LastUpdatedTime > {wire.quote(cursor)}"
            if cursor
            else "WHERE Balance > '0'"
        )
        rows = list(self._query("Invoice", where, "ORDERBY MetaData.LastUpdatedTime"))
        stamps = [s for r in rows if (s := wire.updated_at(r)) is not None]
        if cursor:
            stamps.append(datetime.fromisoformat(cursor))
        next_cursor = max(stamps).isoformat() if stamps else None
        return InvoiceBatch(
            invoices=[wire.invoice(r, self._currency, self._rep_field) for r in rows],
            cursor=next_cursor,
        )

    # ------------------------------------------------------------------ posting
    def post_application(self, application: Application) -> PostResult:
        """Create the Payment once: look for our reference, re-read the invoices, post with requestid."""
        return self._post(application, self._prefetch([application]))

    def post_applications(
        self, applications: Sequence[Application]
    ) -> list[PostResult | ConnectorError]:
        """Post many: per chunk, one Payment look-up and one invoice query, then one POST each."""
        return post_in_chunks(applications, CHUNK, self._prefetch, self._post)

    def _prefetch(self, applications: Sequence[Application]) -> _Seen:
        """Our Payments already in QuickBooks (by PaymentRefNum) and the invoices' balances now."""
        seen = _Seen()
        refs = sorted({_payment_ref(a) for a in applications})
        listing = ", ".join(wire.quote(r) for r in refs)
        for row in self._query("Payment", f"WHERE PaymentRefNum IN ({listing})"):
            seen.payments[str(row.get("PaymentRefNum"))] = str(row["Id"])
        numbers = sorted(
            {str(x.invoice_id) for a in applications for x in a.allocations if x.invoice_id}
        )
        if numbers:
            listing = ", ".join(wire.quote(n) for n in numbers)
            for row in self._query("Invoice", f"WHERE DocNumber IN ({listing})"):
                seen.invoices[wire.invoice_number(row)] = (
                    str(row["Id"]),
                    wire.money(row.get("Balance", 0)),
                )
        return seen

    def _post(self, application: Application, seen: _Seen) -> PostResult:
        missing = needed_capabilities(application) - CAPABILITIES
        if missing:
            raise RecordRejectedError(
                self._name, f"a QuickBooks Payment cannot carry {', '.join(sorted(missing))}"
            )
        payment_ref = _payment_ref(application)
        if payment_ref in seen.payments:
            return PostResult(
                outcome=PostOutcome.ALREADY_POSTED, erp_reference=seen.payments[payment_ref]
            )
        invoice_ids = self._check_invoices(application, seen)
        request_id = wire.digest("arb-", application.idempotency_key, wire.REQUEST_ID_LEN)
        body = wire.payment_body(application, invoice_ids, payment_ref)
        answer = self._call("POST", "payment", params={"requestid": request_id}, json=body)
        seen.payments[payment_ref] = str(answer["Payment"]["Id"])
        return PostResult(outcome=PostOutcome.POSTED, erp_reference=seen.payments[payment_ref])

    def _check_invoices(self, application: Application, seen: _Seen) -> dict[str, str]:
        """Each invoice must exist with enough balance (net of this chunk). Returns number -> Id."""
        allocations = [a for a in application.allocations if a.invoice_id is not None]
        for allocation in allocations:
            number = str(allocation.invoice_id)
            if number not in seen.invoices:
                raise RecordRejectedError(self._name, f"invoice {number} not found in QuickBooks")
            balance = seen.invoices[number][1]
            if balance < allocation.amount:
                raise RecordRejectedError(
                    self._name,
                    f"invoice {number} has {balance} left, {allocation.amount} was to be applied",
                )
        for allocation in allocations:
            txn_id, balance = seen.invoices[str(allocation.invoice_id)]
            seen.invoices[str(allocation.invoice_id)] = (txn_id, balance - allocation.amount)
        return {str(a.invoice_id): seen.invoices[str(a.invoice_id)][0] for a in allocations}

    def reverse_application(self, application: Application, erp_reference: str) -> PostResult:
        """Void the Payment `erp_reference` (current SyncToken read first)."""
        payment = self._call("GET", f"payment/{erp_reference}")["Payment"]
        request_id = wire.digest("rev-", application.idempotency_key, wire.REQUEST_ID_LEN)
        body = {"Id": erp_reference, "SyncToken": payment["SyncToken"], "sparse": True}
        params = {"operation": "void", "requestid": request_id}
        self._call("POST", "payment", params=params, json=body)
        return PostResult(outcome=PostOutcome.POSTED, erp_reference=erp_reference)


def build(
    *,
    name: str,
    realm_id: str,
    client_id: str,
    client_secret: str,
    tokens: RefreshTokenStore,
    sandbox: bool = False,
    currency: str = "USD",
    requests_per_minute: int = 500,
    timeout: float = 120.0,
    api_host: str | None = None,
    token_url: str = TOKEN_URL,
    retry: RetryPolicy | None = None,
    limiter: RequestLimiter | None = None,
    limiter_factory: LimiterFactory = RateLimiter,
    transport: httpx.BaseTransport | None = None,
    clock: Callable[[], float] = time.monotonic,
    sales_rep_field: str | None = None,
) -> QuickBooksErpGateway:
    """A gateway with its HTTP client, rotating-token auth and rate limit (500/min and 10/s)."""
    host = api_host or (SANDBOX_HOST if sandbox else API_HOST)
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
        clock=clock,
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
    return QuickBooksErpGateway(
        name=name, api=api, currency=currency, sales_rep_field=sales_rep_field
    )
