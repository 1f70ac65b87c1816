"""Acumatica gateway: Invoice/Customer reads, Payment with DocumentsToApply, release and void.

Every public call runs inside a cookie session that is always logged out; wrap
many calls in `with gateway.session():` to share one login. Exactly once: a
Payment carries our reference in `PaymentRef` and is looked up before creating;
one found unreleased is released instead of created again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from arbridge.connectors.base import (
    ErpCapability,
    InvoiceBatch,
    PostOutcome,
    PostResult,
)
from arbridge.connectors.erp._http import (
    HttpClient,
    LimiterFactory,
    RateLimiter,
    RequestLimiter,
    RetryPolicy,
    Window,
    jsonbody,
)
from arbridge.connectors.erp._http.batching import post_in_chunks
from arbridge.connectors.erp.acumatica import wire
from arbridge.connectors.erp.acumatica.session import CookieSession
from arbridge.connectors.errors import ConnectorError, RecordRejectedError, TransientConnectorError
from arbridge.domain.records import Application, Customer, Invoice

CAPABILITIES = frozenset(ErpCapability)
CHUNK = 40
UNRELEASED = frozenset({"Balanced", "On Hold"})
DONE, RUNNING = 204, 202


@dataclass
class _Seen:
    """What one read told us: our payments by PaymentRef, invoices' status and balance."""

    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    invoices: dict[str, tuple[str, Decimal]] = field(default_factory=dict)


class AcumaticaErpGateway:
    """One Acumatica tenant through the Default contract endpoint."""

    def __init__(
        self,
        *,
        name: str,
        api: HttpClient,
        session: CookieSession,
        site: str,
        payment_method: str,
        cash_account: str,
        write_off_reason: str | None = None,
        currency: str = "USD",
        page_size: int = 500,
        poll_interval: float = 1.0,
        max_polls: int = 120,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._name, self._api, self._session, self._site = name, api, session, site.rstrip("/")
        self._method, self._cash, self._write_off = payment_method, cash_account, write_off_reason
        self._currency, self._page = currency, page_size
        self._poll, self._max_polls, self._sleep = poll_interval, max_polls, sleep

    @property
    def name(self) -> str:
        """The connector's configured name."""
        return self._name

    @property
    def capabilities(self) -> frozenset[ErpCapability]:
        """Everything: discounts and write-offs ride on DocumentsToApply, VoidPayment reverses."""
        return CAPABILITIES

    def session(self) -> AbstractContextManager[None]:
        """One login shared by every call inside; logged out however the block ends."""
        return self._session.open()

    # ------------------------------------------------------------------ reading
    def _get(self, path: str, **params: str) -> Any:
        response = self._api.request(
            "GET", path, params=params or None, headers={"Accept": "application/json"}
        )
        return jsonbody.loads(response.content)

    def _list(self, entity: str, **params: str) -> Iterator[dict[str, Any]]:
        """Every record, `$top`/`$skip` paging until a short page (there is no next link)."""
        skip = 0
        while True:
            page = self._get(entity, **params, **{"$top": str(self._page), "$skip": str(skip)})
            yield from page
            if len(page) < self._page:
                return
            skip += self._page

    def fetch_customers(self) -> Sequence[Customer]:
        """Every customer."""
        with self.session():
            select = "CustomerID,CustomerName,CurrencyID,ParentRecord,Terms"
            return [
                wire.customer(r, self._currency)
                for r in self._list("Customer", **{"$select": select})
            ]

    def fetch_invoices(self) -> Sequence[Invoice]:
        """Open AR invoices."""
        return self.fetch_invoices_since(None).invoices

    def fetch_invoices_since(self, cursor: str | None) -> InvoiceBatch:
        """Open invoices (no cursor) or every invoice modified after the cursor."""
        where = "Type eq 'Invoice' and " + (
            f"LastModifiedDateTime gt datetimeoffset'{cursor}'" if cursor else "Status eq 'Open'"
        )
        with self.session():
            rows = list(self._list("Invoice", **{"$filter": where, "$select": wire.INVOICE_FIELDS}))
        stamps = [str(s) for r in rows if (s := wire.value(r, "LastModifiedDateTime"))]
        next_cursor = max([*stamps, cursor or ""]) or None
        return InvoiceBatch(
            invoices=[wire.invoice(r, self._currency) for r in rows], cursor=next_cursor
        )

    # ------------------------------------------------------------------ posting
    def post_application(self, application: Application) -> PostResult:
        """Find-or-create the Payment, then release it."""
        with self.session():
            existing = self._find(application)
            if existing is not None:
                return self._settle(existing)
            self._check_invoices(application)
            return self._create(application)

    def post_applications(
        self, applications: Sequence[Application]
    ) -> list[PostResult | ConnectorError]:
        """Post many in one session: per chunk, one Payment look-up and one invoice list read."""
        with self.session():
            return post_in_chunks(applications, CHUNK, self._prefetch, self._post_seen)

    def _settle(self, existing: dict[str, Any]) -> PostResult:
        """A payment of ours is already there: release it if that never happened."""
        if wire.value(existing, "Status") in UNRELEASED:
            self._action("ReleasePayment", existing)
            return PostResult(outcome=PostOutcome.POSTED, erp_reference=_ref(existing))
        return PostResult(outcome=PostOutcome.ALREADY_POSTED, erp_reference=_ref(existing))

    def _create(self, application: Application) -> PostResult:
        body = wire.payment_body(
            application,
            method=self._method,
            cash_account=self._cash,
            write_off_reason=self._write_off,
        )
        response = self._api.request(
            "PUT",
            "Payment",
            params={"$expand": "DocumentsToApply"},
            json=body,
            idempotent=False,
            ok=(200,),
        )
        created = jsonbody.loads(response.content)
        self._action("ReleasePayment", created)
        return PostResult(outcome=PostOutcome.POSTED, erp_reference=_ref(created))

    def _prefetch(self, applications: Sequence[Application]) -> _Seen:
        seen = _Seen()
        refs = sorted({wire.payment_ref(a.idempotency_key) for a in applications})
        where = " or ".join(f"PaymentRef eq {_quote(r)}" for r in refs)
        select = "Type,ReferenceNbr,Status,PaymentRef"
        for payment in self._get("Payment", **{"$filter": where, "$select": select}):
            seen.payments[str(wire.value(payment, "PaymentRef"))] = payment
        numbers = sorted(
            {str(x.invoice_id) for a in applications for x in a.allocations if x.invoice_id}
        )
        if numbers:
            where = (
                "Type eq 'Invoice' and ("
                + " or ".join(f"ReferenceNbr eq {_quote(n)}" for n in numbers)
                + ")"
            )
            for record in self._list(
                "Invoice", **{"$filter": where, "$select": wire.INVOICE_FIELDS}
            ):
                balance = wire.money(wire.value(record, "Balance"))
                seen.invoices[str(wire.value(record, "ReferenceNbr"))] = (
                    str(wire.value(record, "Status")),
                    balance,
                )
        return seen

    def _post_seen(self, application: Application, seen: _Seen) -> PostResult:
        ref = wire.payment_ref(application.idempotency_key)
        if ref in seen.payments:
            return self._settle(seen.payments[ref])
        allocations = [a for a in application.allocations if a.invoice_id is not None]
        for allocation in allocations:
            status, balance = seen.invoices.get(str(allocation.invoice_id), ("missing", Decimal(0)))
            self._require(
                str(allocation.invoice_id),
                status,
                balance,
                allocation.amount + allocation.adjustment,
            )
        for allocation in allocations:
            status, balance = seen.invoices[str(allocation.invoice_id)]
            seen.invoices[str(allocation.invoice_id)] = (
                status,
                balance - allocation.amount - allocation.adjustment,
            )
        result = self._create(application)
        seen.payments[ref] = wire.wrap(
            {"Type": "Payment", "ReferenceNbr": result.erp_reference, "Status": "Closed"}
        )
        return result

    def _require(self, number: str, status: str, balance: Decimal, needed: Decimal) -> None:
        if status != "Open" or balance < needed:
            raise RecordRejectedError(
                self._name,
                f"invoice {number} is {status} with {balance} left, {needed} was to be applied",
            )

    def _find(self, application: Application) -> dict[str, Any] | None:
        ref = wire.payment_ref(application.idempotency_key)
        where = f"PaymentRef eq {_quote(ref)} and CustomerID eq {_quote(application.customer_id)}"
        found = self._get("Payment", **{"$filter": where, "$select": "Type,ReferenceNbr,Status"})
        return found[0] if found else None

    def _check_invoices(self, application: Application) -> None:
        """Re-read each invoice: still Open, with enough balance for payment plus adjustment."""
        for allocation in application.allocations:
            if allocation.invoice_id is None:
                continue
            record = self._get(
                f"Invoice/Invoice/{allocation.invoice_id}", **{"$select": wire.INVOICE_FIELDS}
            )
            status, balance = (
                wire.value(record, "Status"),
                wire.money(wire.value(record, "Balance")),
            )
            self._require(
                allocation.invoice_id,
                str(status),
                balance,
                allocation.amount + allocation.adjustment,
            )

    def _action(self, action: str, record: dict[str, Any]) -> None:
        """Invoke a Payment action and poll its Location until it reports done (204)."""
        keys = {
            "Type": record.get("Type") or {"value": "Payment"},
            "ReferenceNbr": record["ReferenceNbr"],
        }
        response = self._api.request(
            "POST", f"Payment/{action}", json={"entity": keys}, idempotent=False, ok=(DONE, RUNNING)
        )
        if response.status_code == DONE:
            return
        location = str(httpx.URL(self._site).join(response.headers["Location"]))
        for _ in range(self._max_polls):
            self._sleep(self._poll)
            if self._api.request("GET", location, ok=(DONE, RUNNING)).status_code == DONE:
                return
        raise TransientConnectorError(
            self._name, f"{action} still running after {self._max_polls} polls"
        )

    def reverse_application(self, application: Application, erp_reference: str) -> PostResult:
        """Void the payment (`Type/ReferenceNbr` as returned by posting)."""
        kind, _, number = erp_reference.rpartition("/")
        with self.session():
            self._action(
                "VoidPayment", wire.wrap({"Type": kind or "Payment", "ReferenceNbr": number})
            )
        return PostResult(outcome=PostOutcome.POSTED, erp_reference=erp_reference)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ref(record: dict[str, Any]) -> str:
    return f"{wire.value(record, 'Type') or 'Payment'}/{wire.value(record, 'ReferenceNbr')}"


def build(
    *,
    name: str,
    site: str,
    endpoint_version: str,
    username: str,
    password: str,
    company: str,
    payment_method: str,
    cash_account: str,
    branch: str | None = None,
    write_off_reason: str | None = None,
    currency: str = "USD",
    requests_per_minute: int = 100,
    timeout: float = 60.0,
    retry: RetryPolicy | None = None,
    limiter: RequestLimiter | None = None,
    limiter_factory: LimiterFactory = RateLimiter,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> AcumaticaErpGateway:
    """A gateway with its HTTP client (cookie jar), session and rate limit (licence-dependent)."""
    site = site.rstrip("/")
    http = httpx.Client(
        base_url=f"{site}/entity/Default/{endpoint_version}/",
        timeout=httpx.Timeout(timeout, connect=10.0),
        transport=transport,
    )
    session = CookieSession(
        site=site, username=username, password=password, company=company, branch=branch
    )
    api = HttpClient(
        connector=name,
        client=http,
        map_error=wire.map_error,
        auth=session,
        limiter=limiter or limiter_factory([Window(requests_per_minute, 60.0)]),
        retry=retry,
        secrets=(password,),
    )
    session.bind(api)
    return AcumaticaErpGateway(
        name=name,
        api=api,
        session=session,
        site=site,
        payment_method=payment_method,
        cash_account=cash_account,
        write_off_reason=write_off_reason,
        currency=currency,
        sleep=sleep,
    )
