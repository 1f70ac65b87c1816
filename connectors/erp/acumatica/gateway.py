"""Acumatica gateway: Invoice/Customer reads, Payment with DocumentsToApply, release and void.

Every public call runs inside a cookie session that is always logged out; wrap
many calls in `with gateway.session():` to share one login. Exactly once: a
Payment carries our reference in `PaymentRef` and is looked up before creating;
one found unreleased is released instead of created again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
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
from arbridge.connectors.erp.acumatica.posted import AcumaticaPostedLedger
from arbridge.connectors.erp.acumatica.session import CookieSession
from arbridge.connectors.errors import TransientConnectorError
from arbridge.domain.records import Application, Customer

CAPABILITIES = frozenset(ErpCapability)
CHUNK = 40
UNRELEASED = frozenset({"Balanced", "On Hold"})
VOIDED = frozenset({"Voided"})
DONE, RUNNING = 204, 202


@dataclass
class _Seen:
    """What one read told us: our payments by idempotency key, the invoices now."""

    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    invoices: OpenInvoices = field(default_factory=lambda: OpenInvoices("", "Acumatica"))


class AcumaticaErpGateway(AcumaticaPostedLedger, FlowGateway[_Seen]):
    """One Acumatica tenant through the Default contract endpoint (audit reads: `posted`)."""

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
        write_off_reasons: Mapping[str, str] | None = None,
        currency: str = "USD",
        page_size: int = 500,
        poll_interval: float = 1.0,
        max_polls: int = 120,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._name, self._api, self._session, self._site = name, api, session, site.rstrip("/")
        self._method, self._cash, self._write_off = payment_method, cash_account, write_off_reason
        self._reasons = {k.strip().lower(): v for k, v in (write_off_reasons or {}).items()}
        self._currency, self._page = currency, page_size
        self._poll, self._max_polls, self._sleep = poll_interval, max_polls, sleep
        self._flow = PostingFlow(
            name, CAPABILITIES, "an Acumatica payment", CHUNK, self._prefetch, self._post
        )

    def session(self) -> AbstractContextManager[None]:
        """One login shared by every call inside; logged out however the block ends."""
        return self._session.open()

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
            select = "CustomerID,CustomerName,CurrencyID,ParentRecord,Terms"
            return [
                wire.customer(r, self._currency)
                for r in self._list("Customer", **{"$select": select})
            ]

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

    def find_posted_keys(self, keys: Sequence[str]) -> set[str]:
        """The idempotency keys among `keys` whose payment is in Acumatica (voided ones excepted)."""
        wanted = keys_by_reference(keys, wire.payment_ref, wire.legacy_payment_ref)
        with self.session():
            found = self._payments(list(wanted))
        return {wanted[ref] for ref, p in found.items() if wire.value(p, "Status") not in VOIDED}

    def _payments(self, references: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Payments carrying any of these references in PaymentRef, by reference."""
        found: dict[str, dict[str, Any]] = {}
        select = "Type,ReferenceNbr,Status,PaymentRef"
        for group in in_groups(sorted(set(references)), 40):
            where = " or ".join(f"PaymentRef eq {_quote(r)}" for r in group)
            for payment in self._get("Payment", **{"$filter": where, "$select": select}):
                found[str(wire.value(payment, "PaymentRef"))] = payment
        return found

    # ------------------------------------------------------------------ posting

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
            reasons=self._reasons,
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
        seen = _Seen(invoices=OpenInvoices(self._name, "Acumatica"))
        mine = keys_by_reference(
            [a.idempotency_key for a in applications], wire.payment_ref, wire.legacy_payment_ref
        )
        for ref, payment in self._payments(list(mine)).items():
            seen.payments[mine[ref]] = payment
        numbers = invoice_numbers(applications)
        if numbers:
            where = (
                "Type eq 'Invoice' and ("
                + " or ".join(f"ReferenceNbr eq {_quote(n)}" for n in numbers)
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

    def _post(self, application: Application, seen: _Seen) -> PostResult:
        key = application.idempotency_key
        if key in seen.payments:
            return self._settle(seen.payments[key])
        seen.invoices.take(application.allocations, with_adjustment=True)
        result = self._create(application)
        seen.payments[key] = wire.wrap(
            {"Type": "Payment", "ReferenceNbr": result.erp_reference, "Status": "Closed"}
        )
        return result

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
    write_off_reasons: Mapping[str, str] | None = None,
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
    session = CookieSession(
        site=site, username=username, password=password, company=company, branch=branch
    )
    api = rest_client(
        connector=name,
        base_url=f"{site}/entity/Default/{endpoint_version}/",
        timeout=timeout,
        map_error=wire.map_error,
        windows=[Window(requests_per_minute, 60.0)],
        limiter=limiter,
        limiter_factory=limiter_factory,
        retry=retry,
        secrets=(password,),
        transport=transport,
        auth=lambda _http: session,
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
        write_off_reasons=write_off_reasons,
        currency=currency,
        sleep=sleep,
    )
