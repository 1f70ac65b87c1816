"""QuickBooks Online gateway: query-language reads, Payments with LinkedTxn lines, void to reverse.

Exactly once, twice over: before posting, the Payment carrying our reference in
`PaymentRefNum` is looked up among the posted Payments; the POST itself carries a
`requestid` derived from the idempotency key, so a retry after a lost response
replays the original answer. An application to several invoices is one Payment with
one line per invoice: QuickBooks takes all of it or none.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx

from arbridge.connectors.base import ErpCapability, InvoiceBatch, PostOutcome, PostResult
from arbridge.connectors.erp._http import (
    AdaptiveRateLimiter,
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
from arbridge.connectors.erp._http.batching import Outcome
from arbridge.connectors.erp._http.gateway import (
    FlowGateway,
    OpenInvoices,
    PostingFlow,
    in_groups,
    invoice_numbers,
    keys_by_reference,
    rest_client,
)
from arbridge.connectors.erp.quickbooks import credits, wire
from arbridge.connectors.erp.quickbooks.posted import QuickBooksPostedLedger
from arbridge.connectors.errors import ConnectorError, RecordRejectedError
from arbridge.domain.records import Application, Customer

CAPABILITIES = frozenset(
    {
        ErpCapability.INCREMENTAL,
        ErpCapability.UNAPPLIED_CREDIT,
        ErpCapability.REVERSE,
        ErpCapability.BATCH,
        ErpCapability.REVERSE_RECORDED,
    }
)
CHUNK = 30
API_HOST = "https://quickbooks.api.intuit.com"
SANDBOX_HOST = "https://sandbox-quickbooks.api.intuit.com"
TOKEN_URL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"  # noqa: S105 - a URL
MAX_RESULTS = 1000
BATCH_WINDOW = Window(40, 60.0)
"""Intuit allows 40 batch requests a minute per realm and app (the adaptive limiter starts under it)."""


@dataclass
class _Seen:
    """What one read told us: our Payments by reference, the invoices now."""

    payments: dict[str, str] = field(default_factory=dict)
    memos: dict[str, str] = field(default_factory=dict)
    """Our CreditMemos already in QuickBooks: `DocNumber` -> `Id`."""
    invoices: OpenInvoices = field(default_factory=lambda: OpenInvoices("", "QuickBooks"))


class QuickBooksErpGateway(QuickBooksPostedLedger, FlowGateway[_Seen]):
    """One QuickBooks Online company (realm) (and what it holds for the audit: `posted`)."""

    def __init__(
        self,
        *,
        name: str,
        api: HttpClient,
        currency: str = "USD",
        page_size: int = MAX_RESULTS,
        batch_limiter: RequestLimiter | None = None,
        sales_rep_field: str | None = None,
        adjustment_items: credits.AdjustmentItems | None = None,
    ) -> None:
        self._name, self._api, self._currency = name, api, currency
        self._items = adjustment_items or credits.AdjustmentItems()
        self._page_size = min(page_size, MAX_RESULTS)
        self._rep_field = sales_rep_field
        self._flow = PostingFlow(
            name,
            CAPABILITIES | self._items.capabilities(),
            "a QuickBooks Payment",
            CHUNK,
            self._prefetch,
            self._post,
            self._post_batch,
            hint=" (set discount_item / write_off_item, QuickBooks item Ids, in the erp settings)",
        )
        self._batches: RequestLimiter = batch_limiter or RateLimiter([BATCH_WINDOW])

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

    def probe(self) -> str:
        """Refresh the token and read one customer; writes nothing but the rotated token."""
        self._call("GET", "query", params={"query": "SELECT * FROM Customer MAXRESULTS 1"})
        return "token refreshed; customers readable"

    def fetch_customers(self) -> Sequence[Customer]:
        """Every customer."""
        return [wire.customer(c, self._currency) for c in self._query("Customer")]

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

    def _payments(self, references: Sequence[str]) -> Iterator[dict[str, Any]]:
        """Posted Payments carrying any of these references in PaymentRefNum."""
        for group in in_groups(sorted(set(references)), 60):
            listing = ", ".join(wire.quote(r) for r in group)
            yield from self._query("Payment", f"WHERE PaymentRefNum IN ({listing})")

    def find_posted_keys(self, keys: Sequence[str]) -> set[str]:
        """The idempotency keys among `keys` whose Payment is in QuickBooks."""
        wanted = keys_by_reference(keys, wire.payment_ref, wire.legacy_payment_ref)
        return {wanted[str(p.get("PaymentRefNum"))] for p in self._payments(list(wanted))}

    # ------------------------------------------------------------------ posting

    def _prefetch(self, applications: Sequence[Application]) -> _Seen:
        """Our Payments already in QuickBooks (by PaymentRefNum) and the invoices' balances now."""
        seen = _Seen(invoices=OpenInvoices(self._name, "QuickBooks"))
        keys = [a.idempotency_key for a in applications]
        mine = keys_by_reference(keys, wire.payment_ref, wire.legacy_payment_ref)
        for row in self._payments(list(mine)):
            seen.payments[mine[str(row.get("PaymentRefNum"))]] = str(row["Id"])
        pending = [a for a in applications if a.idempotency_key not in seen.payments]
        if any(credits.adjusted(a) for a in pending):
            seen.memos = credits.find_memos(self._query, pending)
        numbers = invoice_numbers(applications)
        if numbers:
            listing = ", ".join(wire.quote(n) for n in numbers)
            for row in self._query("Invoice", f"WHERE DocNumber IN ({listing})"):
                balance = wire.money(row.get("Balance", 0))
                status = "Open" if balance > 0 else "Paid"
                seen.invoices.put(wire.invoice_number(row), status, balance, str(row["Id"]))
        return seen

    def _post(self, application: Application, seen: _Seen) -> PostResult:
        key = application.idempotency_key
        if key in seen.payments:
            return PostResult(outcome=PostOutcome.ALREADY_POSTED, erp_reference=seen.payments[key])
        body = self._body(application, seen)
        request_id = wire.digest("arb-", key, wire.REQUEST_ID_LEN)
        try:
            answer = self._call("POST", "payment", params={"requestid": request_id}, json=body)
        except ConnectorError:
            seen.invoices.give_back(application.allocations, with_adjustment=True)
            raise
        seen.payments[key] = str(answer["Payment"]["Id"])
        return PostResult(outcome=PostOutcome.POSTED, erp_reference=seen.payments[key])

    def _post_batch(self, chunk: Sequence[Application], seen: _Seen) -> list[Outcome]:
        """One `batch` request creates the chunk's Payments; each item answers for itself."""
        outcomes: dict[int, Outcome] = {}
        items: list[tuple[int, Application, dict[str, Any]]] = []
        for n, application in enumerate(chunk):
            key = application.idempotency_key
            if key in seen.payments:
                outcomes[n] = PostResult(
                    outcome=PostOutcome.ALREADY_POSTED, erp_reference=seen.payments[key]
                )
                continue
            try:
                body = self._body(application, seen)
            except ConnectorError as exc:
                outcomes[n] = exc
                continue
            items.append((n, application, body))
        if items:
            outcomes.update(self._send_batch(items, seen))
        return [outcomes[n] for n in range(len(chunk))]

    def _body(self, application: Application, seen: _Seen) -> dict[str, Any]:
        """The Payment body, after the credit memos its adjustments need (found or created).

        Raises:
            ConnectorError: an invoice cannot take it, or a credit memo was not created.
        """
        refusal = credits.negative_adjustment(application)
        if refusal is not None:
            raise RecordRejectedError(self._name, refusal)
        invoice_ids = seen.invoices.take(application.allocations, with_adjustment=True)
        try:
            memo_ids = credits.ensure_memos(self._call, application, seen.memos, self._items)
        except ConnectorError:
            seen.invoices.give_back(application.allocations, with_adjustment=True)
            raise
        lines = credits.memo_lines(application, memo_ids)
        return wire.payment_body(application, invoice_ids, lines)

    def _send_batch(
        self, items: list[tuple[int, Application, dict[str, Any]]], seen: _Seen
    ) -> dict[int, Outcome]:
        keys = "|".join(a.idempotency_key for _n, a, _b in items)
        request = [
            {"bId": str(i), "operation": "create", "Payment": body}
            for i, (_n, _a, body) in enumerate(items)
        ]
        try:
            answer = self._call(
                "POST",
                "batch",
                params={"requestid": wire.digest("b-", keys, wire.BATCH_REQUEST_ID_LEN)},
                json={"BatchItemRequest": request},
                budget=self._batches,
            )
        except ConnectorError as exc:
            for _n, application, _b in items:
                seen.invoices.give_back(application.allocations, with_adjustment=True)
            return {n: exc for n, _a, _b in items}
        by_id = {str(r.get("bId")): r for r in answer.get("BatchItemResponse", [])}
        return {
            n: self._batch_item(by_id.get(str(i)), application, seen)
            for i, (n, application, _b) in enumerate(items)
        }

    def _batch_item(
        self, item: dict[str, Any] | None, application: Application, seen: _Seen
    ) -> Outcome:
        found = wire.fault(item) if item is not None else ("SystemFault", "", "no answer")
        if found is not None or item is None:
            seen.invoices.give_back(application.allocations, with_adjustment=True)
            kind, code, message = found or ("SystemFault", "", "no answer")
            verdict = wire.CODE_VERDICTS.get(code) or wire.TYPE_VERDICTS.get(
                kind.lower(), Verdict.REJECTED
            )
            return HttpFailure(verdict, None, code, message).to_error(self._name)
        payment_id = str(item["Payment"]["Id"])
        seen.payments[application.idempotency_key] = payment_id
        return PostResult(outcome=PostOutcome.POSTED, erp_reference=payment_id)

    def reverse_application(self, application: Application, erp_reference: str) -> PostResult:
        """Void the Payment `erp_reference` (current SyncToken read first)."""
        payment = self._call("GET", f"payment/{erp_reference}")["Payment"]
        request_id = wire.digest("rev-", application.idempotency_key, wire.REQUEST_ID_LEN)
        body = {"Id": erp_reference, "SyncToken": payment["SyncToken"], "sparse": True}
        params = {"operation": "void", "requestid": request_id}
        self._call("POST", "payment", params=params, json=body)
        return PostResult(outcome=PostOutcome.POSTED, erp_reference=erp_reference)

    def reverse_recorded_payment(self, application: Application, payment_id: str) -> PostResult:
        """Void the Payment a person recorded (its `Id`); one already voided is left as it is.

        QuickBooks keeps a voided Payment with amount 0 and `PrivateNote` "Voided"; its
        invoices are open again.
        """
        payment = self._call("GET", f"payment/{payment_id}")["Payment"]
        if _voided(payment):
            return PostResult(outcome=PostOutcome.ALREADY_POSTED, erp_reference=payment_id)
        request_id = wire.digest("rev-", application.idempotency_key, wire.REQUEST_ID_LEN)
        body = {"Id": payment_id, "SyncToken": payment["SyncToken"], "sparse": True}
        params = {"operation": "void", "requestid": request_id}
        self._call("POST", "payment", params=params, json=body)
        return PostResult(outcome=PostOutcome.POSTED, erp_reference=payment_id)


def _voided(payment: dict[str, Any]) -> bool:
    note = str(payment.get("PrivateNote") or "")
    return Decimal(str(payment.get("TotalAmt", "0"))) == 0 and note.startswith("Voided")


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
    api_url: str | None = None,
    token_url: str = TOKEN_URL,
    retry: RetryPolicy | None = None,
    limiter: RequestLimiter | None = None,
    limiter_factory: LimiterFactory = AdaptiveRateLimiter,
    batch_limiter: RequestLimiter | None = None,
    transport: httpx.BaseTransport | None = None,
    clock: Callable[[], float] = time.monotonic,
    sales_rep_field: str | None = None,
    discount_item: str | None = None,
    write_off_item: str | None = None,
) -> QuickBooksErpGateway:
    """A gateway with its HTTP client, rotating-token auth and rate limit (500/min and 10/s)."""
    host = (api_url or (SANDBOX_HOST if sandbox else API_HOST)).rstrip("/")
    api = rest_client(
        connector=name,
        base_url=f"{host}/v3/company/{realm_id}/",
        timeout=timeout,
        map_error=wire.map_error,
        windows=[Window(requests_per_minute, 60.0), Window(10, 1.0)],
        limiter=limiter,
        limiter_factory=limiter_factory,
        retry=retry,
        secrets=(client_secret,),
        transport=transport,
        auth=lambda http: RotatingRefreshAuth(
            connector=name,
            http=http,
            token_url=token_url,
            client_id=client_id,
            client_secret=client_secret,
            store=tokens,
            clock=clock,
        ),
    )
    return QuickBooksErpGateway(
        name=name,
        api=api,
        currency=currency,
        batch_limiter=batch_limiter or limiter_factory([BATCH_WINDOW]),
        sales_rep_field=sales_rep_field,
        adjustment_items=credits.AdjustmentItems(discount_item, write_off_item),
    )
