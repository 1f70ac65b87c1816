"""Acumatica gateway: Invoice/Customer reads, Payment with DocumentsToApply, release and void.

Every public call runs inside a cookie session that is always logged out; wrap
many calls in `with gateway.session():` to share one login. Exactly once: a
Payment carries our reference in `PaymentRef` and is looked up before creating;
one found unreleased is released instead of created again. Posting runs on up to
`concurrent_requests` sessions at once (`lanes`, `posting`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

import httpx

from arbridge.connectors.base import (
    ErpCapability,
    InvoiceBatch,
    PostOutcome,
    PostResult,
)
from arbridge.connectors.erp._http import (
    AdaptiveRateLimiter,
    LimiterFactory,
    RequestLimiter,
    RetryPolicy,
    Window,
    jsonbody,
)
from arbridge.connectors.erp._http.gateway import (
    FlowGateway,
    OpenInvoices,
    PostingFlow,
    in_groups,
    invoice_numbers,
    keys_by_reference,
    rest_client,
)
from arbridge.connectors.erp.acumatica import wire
from arbridge.connectors.erp.acumatica.lanes import Lane, Lanes
from arbridge.connectors.erp.acumatica.posted import AcumaticaPostedLedger
from arbridge.connectors.erp.acumatica.posting import VOIDED, Poster, Seen, quote
from arbridge.connectors.erp.acumatica.release import Releases
from arbridge.connectors.erp.acumatica.session import CookieSession
from arbridge.connectors.errors import ConnectorError
from arbridge.domain.records import Application, Customer

CAPABILITIES = frozenset(ErpCapability)
CHUNK = 40


class AcumaticaErpGateway(AcumaticaPostedLedger, FlowGateway[Seen]):
    """One Acumatica tenant through the Default contract endpoint (audit reads: `posted`)."""

    def __init__(
        self,
        *,
        name: str,
        lanes: Lanes,
        site: str,
        payment_method: str,
        cash_account: str,
        write_off_reason: str | None = None,
        write_off_reasons: Mapping[str, str] | None = None,
        currency: str = "USD",
        page_size: int = 500,
        poll_interval: float = 1.0,
        max_polls: int = 120,
        sleep: Callable[[float], None] = time.sleep,
        sales_rep_field: str | None = None,
    ) -> None:
        self._rep_field = sales_rep_field
        self._lanes, self._api = lanes, lanes.first.api
        self._name, self._site = name, site.rstrip("/")
        self._method, self._cash, self._write_off = payment_method, cash_account, write_off_reason
        self._reasons = {k.strip().lower(): v for k, v in (write_off_reasons or {}).items()}
        self._currency, self._page = currency, page_size
        self._releases = Releases(
            self._api,
            self._site,
            name,
            poll_interval=poll_interval,
            max_polls=max_polls,
            sleep=sleep,
        )
        self._poster = Poster(name, lanes, self._releases, self._body, self._payments)
        self._flow = PostingFlow(
            name,
            CAPABILITIES,
            "an Acumatica payment",
            CHUNK,
            self._prefetch,
            self._post,
            write_many=self._post_many,
        )

    def session(self) -> AbstractContextManager[None]:
        """One login per lane shared by every call inside; logged out however the block ends."""
        return self._lanes.open()

    def _scope(self) -> AbstractContextManager[None]:
        return self.session()

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

    def probe(self) -> str:
        """Log in, read one customer, log out; writes nothing."""
        with self.session():
            self._get("Customer", **{"$top": "1", "$select": "CustomerID"})
        return "logged in and out; customers readable"

    def fetch_customers(self) -> Sequence[Customer]:
        """Every customer."""
        with self.session():
            select = "CustomerID,CustomerName,CurrencyID,ParentRecord,Terms," + wire.CONTACT_FIELDS
            query = {"$select": select, "$expand": "MainContact"}
            return [wire.customer(r, self._currency) for r in self._list("Customer", **query)]

    def fetch_invoices_since(self, cursor: str | None) -> InvoiceBatch:
        """Open invoices (no cursor) or every invoice modified after the cursor."""
        where = "Type eq 'Invoice' and " + (
            f"LastModifiedDateTime gt datetimeoffset'{cursor}'" if cursor else "Status eq 'Open'"
        )
        params = {"$filter": where, "$select": wire.INVOICE_FIELDS}
        if self._rep_field:
            params["$custom"] = self._rep_field
        with self.session():
            rows = list(self._list("Invoice", **params))
        stamps = [str(s) for r in rows if (s := wire.value(r, "LastModifiedDateTime"))]
        next_cursor = max([*stamps, cursor or ""]) or None
        invoices = [wire.invoice(r, self._currency, self._rep_field) for r in rows]
        return InvoiceBatch(invoices=invoices, cursor=next_cursor)

    def find_posted_keys(self, keys: Sequence[str]) -> set[str]:
        """The idempotency keys among `keys` whose payment is in Acumatica (voided ones excepted)."""
        wanted = keys_by_reference(keys, wire.payment_ref, wire.legacy_payment_ref)
        with self.session():
            found = self._payments(list(wanted))
        return {wanted[r] for r, p in found.items() if wire.value(p, "Status") not in VOIDED}

    def _payments(self, references: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Payments carrying any of these references in PaymentRef, by reference."""
        found: dict[str, dict[str, Any]] = {}
        select = "Type,ReferenceNbr,Status,PaymentRef"
        for group in in_groups(sorted(set(references)), 40):
            where = " or ".join(f"PaymentRef eq {quote(r)}" for r in group)
            for payment in self._get("Payment", **{"$filter": where, "$select": select}):
                found[str(wire.value(payment, "PaymentRef"))] = payment
        return found

    # ------------------------------------------------------------------ posting

    def _body(self, application: Application) -> dict[str, Any]:
        return wire.payment_body(
            application,
            method=self._method,
            cash_account=self._cash,
            write_off_reason=self._write_off,
            reasons=self._reasons,
        )

    def _prefetch(self, applications: Sequence[Application]) -> Seen:
        seen = Seen(invoices=OpenInvoices(self._name, "Acumatica"))
        mine = keys_by_reference(
            [a.idempotency_key for a in applications], wire.payment_ref, wire.legacy_payment_ref
        )
        for ref, payment in self._payments(list(mine)).items():
            seen.payments[mine[ref]] = payment
        numbers = invoice_numbers(applications)
        if numbers:
            where = (
                "Type eq 'Invoice' and ("
                + " or ".join(f"ReferenceNbr eq {quote(n)}" for n in numbers)
                + ")"
            )
            for record in self._list(
                "Invoice", **{"$filter": where, "$select": wire.INVOICE_FIELDS}
            ):
                seen.invoices.put(
                    str(wire.value(record, "ReferenceNbr")),
                    str(wire.value(record, "Status")),
                    wire.money(wire.value(record, "Balance")),
                )
        return seen

    def _post(self, application: Application, seen: Seen) -> PostResult:
        outcome = self._poster.post([application], seen)[0]
        if isinstance(outcome, ConnectorError):
            raise outcome
        return outcome

    def _post_many(
        self, chunk: Sequence[Application], seen: Seen
    ) -> list[PostResult | ConnectorError]:
        """The chunk's payments on the lanes at once (see `posting`)."""
        return self._poster.post(chunk, seen)

    def reverse_application(self, application: Application, erp_reference: str) -> PostResult:
        """Void the payment (`Type/ReferenceNbr` as returned by posting)."""
        kind, _, number = erp_reference.rpartition("/")
        with self.session():
            self._releases.wait_one(
                "VoidPayment", wire.wrap({"Type": kind or "Payment", "ReferenceNbr": number})
            )
        return PostResult(outcome=PostOutcome.POSTED, erp_reference=erp_reference)

    def reverse_recorded_payment(self, application: Application, payment_id: str) -> PostResult:
        """Void a payment a person recorded (`Type:ReferenceNbr`, as the payments reader names it).

        The payment is read by its key first: one already voided is left as it is.
        """
        kind, _, number = payment_id.rpartition(":")
        kind = kind or "Payment"
        with self.session():
            record = self._get(f"Payment/{kind}/{number}", **{"$select": "Status"})
        if wire.value(record, "Status") == "Voided":
            return PostResult(outcome=PostOutcome.ALREADY_POSTED, erp_reference=payment_id)
        return self.reverse_application(application, f"{kind}/{number}")


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
    write_off_reasons: Mapping[str, str] | None = None,
    currency: str = "USD",
    requests_per_minute: int = 100,
    concurrent_requests: int = 2,
    timeout: float = 60.0,
    retry: RetryPolicy | None = None,
    limiter: RequestLimiter | None = None,
    limiter_factory: LimiterFactory = AdaptiveRateLimiter,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
    sales_rep_field: str | None = None,
) -> AcumaticaErpGateway:
    """A gateway with its lanes (HTTP client, cookie jar and session each) and one rate limit.

    `requests_per_minute` and `concurrent_requests` come from the licence; every lane
    counts against the same limiter.
    """
    site = site.rstrip("/")
    shared = limiter or limiter_factory([Window(requests_per_minute, 60.0)])

    def lane() -> Lane:
        session = CookieSession(
            site=site, username=username, password=password, company=company, branch=branch
        )
        api = rest_client(
            connector=name,
            base_url=f"{site}/entity/Default/{endpoint_version}/",
            timeout=timeout,
            map_error=wire.map_error,
            windows=(),
            limiter=shared,
            limiter_factory=limiter_factory,
            retry=retry,
            secrets=(password,),
            transport=transport,
            auth=lambda _http: session,
        )
        session.bind(api)
        return Lane(api, session)

    lanes = Lanes(lane(), [lane() for _ in range(max(concurrent_requests, 1) - 1)])
    return AcumaticaErpGateway(
        name=name,
        lanes=lanes,
        site=site,
        payment_method=payment_method,
        cash_account=cash_account,
        write_off_reason=write_off_reason,
        write_off_reasons=write_off_reasons,
        currency=currency,
        sleep=sleep,
        sales_rep_field=sales_rep_field,
    )
