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
    AdaptiveRateLimiter,
    HttpClient,
    LimiterFactory,
    RequestLimiter,
    RetryPolicy,
    Window,
    jsonbody,
)
from arbridge.connectors.erp._http.batching import UNWELL_AFTER, FailureRun
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
from arbridge.connectors.erp.acumatica.release import Releases
from arbridge.connectors.erp.acumatica.session import CookieSession
from arbridge.connectors.errors import ConnectorError
from arbridge.domain.records import Application, Customer

CAPABILITIES = frozenset(ErpCapability)
CHUNK = 40
UNRELEASED = frozenset({"Balanced", "On Hold"})
VOIDED = frozenset({"Voided"})


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
        sales_rep_field: str | None = None,
    ) -> None:
        self._rep_field = sales_rep_field
        self._name, self._api, self._session, self._site = name, api, session, site.rstrip("/")
        self._method, self._cash, self._write_off = payment_method, cash_account, write_off_reason
        self._reasons = {k.strip().lower(): v for k, v in (write_off_reasons or {}).items()}
        self._currency, self._page = currency, page_size
        self._releases = Releases(
            api, self._site, name, poll_interval=poll_interval, max_polls=max_polls, sleep=sleep
        )
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

    def _settle(self, existing: dict[str, Any]) -> tuple[PostResult, str | None]:
        """A payment of ours is already there: release it if that never happened."""
        if wire.value(existing, "Status") in UNRELEASED:
            job = self._releases.start("ReleasePayment", existing)
            return PostResult(outcome=PostOutcome.POSTED, erp_reference=_ref(existing)), job
        return PostResult(outcome=PostOutcome.ALREADY_POSTED, erp_reference=_ref(existing)), None

    def _create(self, application: Application) -> tuple[PostResult, str | None]:
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
        job = self._releases.start("ReleasePayment", created)
        return PostResult(outcome=PostOutcome.POSTED, erp_reference=_ref(created)), job

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

    def _start(self, application: Application, seen: _Seen) -> tuple[PostResult, str | None]:
        """Create (or find) the payment and start its release; the release job, if running."""
        key = application.idempotency_key
        if key in seen.payments:
            return self._settle(seen.payments[key])
        seen.invoices.take(application.allocations, with_adjustment=True)
        result, job = self._create(application)
        seen.payments[key] = wire.wrap(
            {"Type": "Payment", "ReferenceNbr": result.erp_reference, "Status": "Closed"}
        )
        return result, job

    def _post(self, application: Application, seen: _Seen) -> PostResult:
        result, job = self._start(application, seen)
        if job is not None and (error := self._releases.wait({0: job})[0]) is not None:
            raise error
        return result

    def _post_many(
        self, chunk: Sequence[Application], seen: _Seen
    ) -> list[PostResult | ConnectorError]:
        """Start every payment of a chunk, then wait for their releases together."""
        outcomes: list[PostResult | ConnectorError] = []
        jobs: dict[int, str] = {}
        failures = FailureRun()
        for index, application in enumerate(chunk):
            if failures.in_a_row >= UNWELL_AFTER:  # the ERP is down: the rest waits
                outcomes.append(outcomes[-1])
                continue
            try:
                result, job = self._start(application, seen)
            except ConnectorError as exc:
                outcomes.append(exc)
            else:
                outcomes.append(result)
                if job is not None:
                    jobs[index] = job
            failures.unwell(outcomes[-1])
        for index, error in self._releases.wait(jobs).items():
            if error is not None:
                outcomes[index] = error
        return outcomes

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
    limiter_factory: LimiterFactory = AdaptiveRateLimiter,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
    sales_rep_field: str | None = None,
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
        sales_rep_field=sales_rep_field,
    )
