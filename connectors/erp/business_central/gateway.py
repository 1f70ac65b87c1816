"""Business Central gateway: OData reads, customer payment journal lines, optional journal post.

Exactly once: BC has no idempotency key, so every application gets a 20-character
`externalDocumentNumber` derived from its idempotency key, and the journal is read
for it before any line is written; only missing lines are created. With
`post_journal` the journal is posted after the lines are in; if that call fails
the lines stay in the journal for the next post (ours or finance's), and the
application still counts as delivered.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

import httpx
import structlog

from arbridge.connectors.base import (
    ErpCapability,
    InvoiceBatch,
    PostOutcome,
    PostResult,
    needed_capabilities,
)
from arbridge.connectors.erp._http import (
    ClientCredentialsAuth,
    HttpClient,
    LimiterFactory,
    RateLimiter,
    RequestLimiter,
    RetryPolicy,
    Window,
    jsonbody,
)
from arbridge.connectors.erp._http.batching import post_in_chunks
from arbridge.connectors.erp.business_central import wire
from arbridge.connectors.errors import (
    CapabilityMissingError,
    ConnectorError,
    PermanentConnectorError,
    RecordRejectedError,
)
from arbridge.domain.records import Allocation, Application, Customer, Invoice

log = structlog.get_logger("arbridge.erp.business_central")

CAPABILITIES = frozenset(
    {ErpCapability.INCREMENTAL, ErpCapability.UNAPPLIED_CREDIT, ErpCapability.BATCH}
)
CHUNK = 40
"""Applications per shared read (keeps the $filter URL short)."""
API_HOST = "https://api.businesscentral.dynamics.com"
LOGIN_HOST = "https://login.microsoftonline.com"
SCOPE = "https://api.businesscentral.dynamics.com/.default"


@dataclass
class _Seen:
    """What one read told us: journal lines per external document number, invoices' state."""

    lines: dict[str, set[str]] = field(default_factory=dict)
    invoices: dict[str, tuple[str, Decimal]] = field(default_factory=dict)


class BusinessCentralErpGateway:
    """One BC company seen through API v2.0."""

    def __init__(
        self,
        *,
        name: str,
        api: HttpClient,
        company: str,
        journal_code: str = "CASHRCPT",
        currency: str = "USD",
        post_journal: bool = False,
        page_size: int = 1000,
        receipts_negative: bool = True,
    ) -> None:
        self._name, self._api = name, api
        self._company_name, self._journal_code = company, journal_code
        self._currency, self._post_journal = currency, post_journal
        self._page_size, self._sign = page_size, Decimal(-1 if receipts_negative else 1)
        self._company_id: str | None = None
        self._journal_id: str | None = None

    @property
    def name(self) -> str:
        """The connector's configured name."""
        return self._name

    @property
    def capabilities(self) -> frozenset[ErpCapability]:
        """Incremental reads and unapplied credit; BC's payment lines carry no discount or write-off."""
        return CAPABILITIES

    # ------------------------------------------------------------------ reading
    def _get(self, url: str, **params: str) -> dict[str, Any]:
        headers = {"Prefer": f"odata.maxpagesize={self._page_size}", "Accept": "application/json"}
        response = self._api.request("GET", url, params=params or None, headers=headers)
        body: dict[str, Any] = jsonbody.loads(response.content)
        return body

    def _pages(self, url: str, **params: str) -> Iterator[dict[str, Any]]:
        """Every entity of a collection, following `@odata.nextLink` verbatim."""
        page = self._get(url, **params)
        while True:
            yield from page.get("value", [])
            next_link = page.get("@odata.nextLink")
            if not next_link:
                return
            page = self._get(next_link)

    def _company(self) -> str:
        if self._company_id is None:
            for company in self._pages("companies"):
                if self._company_name in (company.get("name"), company.get("displayName")):
                    self._company_id = str(company["id"])
                    break
            else:
                raise PermanentConnectorError(self._name, f"no company {self._company_name!r}")
        return f"companies({self._company_id})"

    def _journal(self) -> str:
        if self._journal_id is None:
            code = wire.quote(self._journal_code)
            url = f"{self._company()}/customerPaymentJournals"
            found = list(self._pages(url, **{"$filter": f"code eq {code}"}))
            if not found:
                raise PermanentConnectorError(
                    self._name, f"no customer payment journal {self._journal_code!r}"
                )
            self._journal_id = str(found[0]["id"])
        return self._journal_id

    def fetch_customers(self) -> Sequence[Customer]:
        """Every customer of the company."""
        url = f"{self._company()}/customers"
        select = "id,number,displayName,currencyCode,lastModifiedDateTime"
        return [wire.customer(c, self._currency) for c in self._pages(url, **{"$select": select})]

    def fetch_invoices(self) -> Sequence[Invoice]:
        """The company's open sales invoices (posted ones with status Open)."""
        return self.fetch_invoices_since(None).invoices

    def fetch_invoices_since(self, cursor: str | None) -> InvoiceBatch:
        """Open invoices (no cursor) or every invoice modified after the cursor timestamp."""
        where = f"lastModifiedDateTime gt {cursor}" if cursor else "status eq 'Open'"
        params = {"$filter": where, "$select": wire.INVOICE_FIELDS}
        entities = list(self._pages(f"{self._company()}/salesInvoices", **params))
        stamps = [str(e["lastModifiedDateTime"]) for e in entities if e.get("lastModifiedDateTime")]
        next_cursor = max([*stamps, cursor or ""]) or None
        invoices = [wire.invoice(e, self._currency) for e in entities]
        return InvoiceBatch(invoices=invoices, cursor=next_cursor)

    # ------------------------------------------------------------------ posting
    def post_application(self, application: Application) -> PostResult:
        """Write the journal lines of this application that are not there yet."""
        return self._post(application, self._prefetch([application]))

    def post_applications(
        self, applications: Sequence[Application]
    ) -> list[PostResult | ConnectorError]:
        """Post many: per chunk, one journal read and one invoice re-read, then one POST per line.

        With `post_journal`, the journal is posted once at the end, not after each application.
        """
        results = post_in_chunks(
            applications, CHUNK, self._prefetch, partial(self._post, defer=True)
        )
        if self._post_journal and any(
            getattr(r, "outcome", None) is PostOutcome.POSTED for r in results
        ):
            self._post_batch()
        return results

    def _lines_url(self) -> str:
        return f"{self._company()}/customerPaymentJournals({self._journal()})/customerPayments"

    def _prefetch(self, applications: Sequence[Application]) -> _Seen:
        """Journal lines carrying these keys or applying to these invoices, and the invoices now.

        Unposted journal lines do not lower an invoice's `remainingAmount` yet, so they are
        subtracted here: two applications to one invoice never add up to an overpayment.
        """
        seen = _Seen()
        keys = sorted({wire.external_document_number(a.idempotency_key) for a in applications})
        numbers = sorted(
            {str(x.invoice_id) for a in applications for x in a.allocations if x.invoice_id}
        )
        where = " or ".join(
            [f"externalDocumentNumber eq {wire.quote(k)}" for k in keys]
            + [f"appliesToInvoiceNumber eq {wire.quote(n)}" for n in numbers]
        )
        pending: dict[str, Decimal] = {}
        for line in self._pages(self._lines_url(), **{"$filter": where}):
            ext, number = (
                str(line.get("externalDocumentNumber")),
                str(line.get("appliesToInvoiceNumber") or ""),
            )
            if ext in keys:
                seen.lines.setdefault(ext, set()).add(number)
            pending[number] = pending.get(number, Decimal(0)) + abs(wire.money(line["amount"]))
        if numbers:
            where = " or ".join(f"number eq {wire.quote(n)}" for n in numbers)
            params = {"$filter": where, "$select": wire.INVOICE_FIELDS}
            for entity in self._pages(f"{self._company()}/salesInvoices", **params):
                number = str(entity["number"])
                left = wire.money(entity["remainingAmount"]) - pending.get(number, Decimal(0))
                seen.invoices[number] = (str(entity.get("status")), left)
        return seen

    def _post(self, application: Application, seen: _Seen, *, defer: bool = False) -> PostResult:
        missing = needed_capabilities(application) - CAPABILITIES
        if missing:
            raise RecordRejectedError(
                self._name,
                f"Business Central's payment journal cannot take {', '.join(sorted(missing))}",
            )
        ext = wire.external_document_number(application.idempotency_key)
        existing = seen.lines.setdefault(ext, set())
        todo = [a for a in application.allocations if (a.invoice_id or "") not in existing]
        if not todo:
            return PostResult(outcome=PostOutcome.ALREADY_POSTED, erp_reference=ext)
        self._check_invoices([a for a in todo if a.invoice_id], seen)
        for allocation in todo:
            body = {
                "customerNumber": allocation.customer_id,
                "postingDate": application.booked_on.isoformat(),
                "documentNumber": ext,
                "externalDocumentNumber": ext,
                "amount": self._sign * allocation.amount,
                "description": application.evidence[: wire.DESCRIPTION_LEN],
            }
            if allocation.invoice_id:
                body["appliesToInvoiceNumber"] = allocation.invoice_id
            self._api.request("POST", self._lines_url(), json=body, idempotent=False, ok=(201,))
            existing.add(allocation.invoice_id or "")
        if self._post_journal and not defer:
            self._post_batch()
        return PostResult(outcome=PostOutcome.POSTED, erp_reference=ext)

    def _check_invoices(self, allocations: list[Allocation], seen: _Seen) -> None:
        """Each invoice must still be Open with enough left (net of what this chunk already took)."""
        for allocation in allocations:
            number = str(allocation.invoice_id)
            status, remaining = seen.invoices.get(number, ("missing", Decimal(0)))
            if status != "Open":
                raise RecordRejectedError(
                    self._name, f"invoice {number} is {status} in Business Central"
                )
            if remaining < allocation.amount:
                raise RecordRejectedError(
                    self._name,
                    f"invoice {number} has {remaining} left, {allocation.amount} was to be applied",
                )
        for allocation in allocations:
            status, remaining = seen.invoices[str(allocation.invoice_id)]
            seen.invoices[str(allocation.invoice_id)] = (status, remaining - allocation.amount)

    def _post_batch(self) -> None:
        url = f"{self._company()}/journals({self._journal()})/Microsoft.NAV.post"
        try:
            self._api.request("POST", url, idempotent=False, ok=(204,))
        except ConnectorError as exc:
            log.warning("journal_post_deferred", connector=self._name, error=str(exc))

    def reverse_application(self, application: Application, erp_reference: str) -> PostResult:
        """Not offered: API v2.0 has no action that unapplies a posted customer payment."""
        raise CapabilityMissingError(
            self._name, "Business Central API v2.0 cannot reverse an application"
        )


def build(
    *,
    name: str,
    tenant: str,
    environment: str,
    company: str,
    client_id: str,
    client_secret: str,
    journal_code: str = "CASHRCPT",
    currency: str = "USD",
    post_journal: bool = False,
    requests_per_minute: int = 1200,
    timeout: float = 60.0,
    api_host: str = API_HOST,
    login_host: str = LOGIN_HOST,
    retry: RetryPolicy | None = None,
    limiter: RequestLimiter | None = None,
    limiter_factory: LimiterFactory = RateLimiter,
    transport: httpx.BaseTransport | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> BusinessCentralErpGateway:
    """A gateway with its own HTTP client, token cache and rate limit (6,000 per 5 min by default)."""
    base = f"{api_host}/v2.0/{tenant}/{environment}/api/v2.0/"
    http = httpx.Client(
        base_url=base, timeout=httpx.Timeout(timeout, connect=10.0), transport=transport
    )
    auth = ClientCredentialsAuth(
        connector=name,
        http=http,
        token_url=f"{login_host}/{tenant}/oauth2/v2.0/token",
        client_id=client_id,
        client_secret=client_secret,
        scope=SCOPE,
        clock=clock,
    )
    api = HttpClient(
        connector=name,
        client=http,
        map_error=wire.map_error,
        auth=auth,
        limiter=limiter
        or limiter_factory([Window(requests_per_minute, 60.0), Window(6000, 300.0)]),
        retry=retry,
        secrets=(client_secret,),
    )
    return BusinessCentralErpGateway(
        name=name,
        api=api,
        company=company,
        journal_code=journal_code,
        currency=currency,
        post_journal=post_journal,
    )
