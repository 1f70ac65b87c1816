"""Business Central gateway: OData reads, customer payment journal lines, optional journal post.

Exactly once: BC has no idempotency key, so every application gets a document number
derived from its key (`documentNumber`, shared by its lines) and a reference a person
can trace to the bank line (`externalDocumentNumber`). Before writing, the gateway
looks the document number up among the journal's pending lines AND among posted G/L
entries, so a retry after a lost answer finds its payment whether or not the journal
was posted since. The lines of one application go in one `$batch` with
`Isolation: snapshot`: BC writes all of them or none; applications of a single line
share `$batch` calls (up to 100 operations, each taken or refused on its own). Should a refused batch still
leave lines behind, they are read back and deleted before the refusal is reported,
so money in BC is never recorded as refused.

Payment discounts (`payment_discounts`): the line carries the cash, applied to the
invoice; BC grants the discount when it posts the line within the invoice's discount
date (API v2.0 has no discount field). Write-offs are refused.

Journal hygiene (`post_journal`): arbridge posts only a journal batch holding nothing
but its own lines. Give it a batch of its own (`journal_code`); the batch is checked
at start and before every post, and a batch with lines arbridge did not write is
never posted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import structlog

from arbridge.connectors.base import ErpCapability, InvoiceBatch, PostOutcome, PostResult
from arbridge.connectors.erp._http import (
    AdaptiveRateLimiter,
    ClientCredentialsAuth,
    HttpClient,
    LimiterFactory,
    RequestLimiter,
    RetryPolicy,
    Window,
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
from arbridge.connectors.erp.business_central import journal, wire
from arbridge.connectors.erp.business_central.odata import CompanyReader
from arbridge.connectors.erp.business_central.posted import BusinessCentralPostedLedger
from arbridge.connectors.errors import (
    CapabilityMissingError,
    ConnectorError,
    PermanentConnectorError,
)
from arbridge.domain.records import Allocation, Application, Customer

log = structlog.get_logger("arbridge.erp.business_central")

_HINT = (
    " (discounts: set payment_discounts: true, BC grants them when it posts the applied line"
    " within the invoice's discount date; write-offs are not supported on Business Central)"
)

CAPABILITIES = frozenset(
    {ErpCapability.INCREMENTAL, ErpCapability.UNAPPLIED_CREDIT, ErpCapability.BATCH}
)
CHUNK = 40
"""Applications per shared read (keeps the $filter URL short)."""
API_HOST = "https://api.businesscentral.dynamics.com"
TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"  # noqa: S105 - a URL
SCOPE = "https://api.businesscentral.dynamics.com/.default"


@dataclass
class _Seen:
    """What one read told us, by idempotency key: lines pending, payments posted; the invoices."""

    lines: dict[str, set[str]] = field(default_factory=dict)
    posted: set[str] = field(default_factory=set)
    invoices: OpenInvoices = field(default_factory=lambda: OpenInvoices("", "Business Central"))


class BusinessCentralErpGateway(BusinessCentralPostedLedger, FlowGateway[_Seen]):
    """One BC company seen through API v2.0 (and what it holds for the audit: `posted`)."""

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
        payment_discounts: bool = False,
    ) -> None:
        self._name, self._api = name, api
        self._company_name, self._journal_code = company, journal_code
        self._currency, self._post_journal = currency, post_journal
        self._sign = Decimal(-1 if receipts_negative else 1)
        self._odata = CompanyReader(name=name, api=api, company=company, page_size=page_size)
        self._journal_id: str | None = None
        self._flow = PostingFlow(
            name,
            CAPABILITIES | ({ErpCapability.DISCOUNT} if payment_discounts else set()),
            "Business Central's payment journal",
            CHUNK,
            self._prefetch,
            self._post,
            write_many=self._post_many,
            hint=_HINT,
        )

    # ------------------------------------------------------------------ reading
    def _journal(self) -> str:
        if self._journal_id is None:
            code = wire.quote(self._journal_code)
            url = f"{self._odata.company()}/customerPaymentJournals"
            found = list(self._odata.pages(url, **{"$filter": f"code eq {code}"}))
            if not found:
                raise PermanentConnectorError(
                    self._name, f"no customer payment journal {self._journal_code!r}"
                )
            self._journal_id = str(found[0]["id"])
            if self._post_journal:
                self._check_journal_is_ours(start=True)
        return self._journal_id

    def probe(self) -> str:
        """Authenticate and read one page (companies, one customer); writes nothing."""
        company = self._odata.company()
        url = f"{company}/customers"
        self._odata.get(url, **{"$top": "1", "$select": "number"})
        return f"company {self._company_name!r} found; customers readable"

    def fetch_customers(self) -> Sequence[Customer]:
        """Every customer of the company."""
        url = f"{self._odata.company()}/customers"
        select = "id,number,displayName,currencyCode,email,phoneNumber,lastModifiedDateTime"
        return [
            wire.customer(c, self._currency) for c in self._odata.pages(url, **{"$select": select})
        ]

    def fetch_invoices_since(self, cursor: str | None) -> InvoiceBatch:
        """Open invoices (no cursor) or every invoice modified after the cursor timestamp."""
        where = f"lastModifiedDateTime gt {cursor}" if cursor else "status eq 'Open'"
        params = {"$filter": where, "$select": wire.INVOICE_FIELDS}
        entities = list(self._odata.pages(f"{self._odata.company()}/salesInvoices", **params))
        stamps = [str(e["lastModifiedDateTime"]) for e in entities if e.get("lastModifiedDateTime")]
        next_cursor = max([*stamps, cursor or ""]) or None
        invoices = [wire.invoice(e, self._currency) for e in entities]
        return InvoiceBatch(invoices=invoices, cursor=next_cursor)

    def _lines_url(self) -> str:
        return (
            f"{self._odata.company()}/customerPaymentJournals({self._journal()})/customerPayments"
        )

    def _posted_documents(self, documents: Sequence[str]) -> set[str]:
        """The document numbers among `documents` that posted G/L entries carry."""
        found: set[str] = set()
        for group in in_groups(sorted(set(documents)), CHUNK):
            where = " or ".join(f"documentNumber eq {wire.quote(d)}" for d in group)
            params = {"$filter": where, "$select": "documentNumber"}
            for entry in self._odata.pages(
                f"{self._odata.company()}/generalLedgerEntries", **params
            ):
                found.add(str(entry.get("documentNumber")))
        return found

    def find_posted_keys(self, keys: Sequence[str]) -> set[str]:
        """The keys among `keys` whose payment is in BC: posted, or lines waiting in the journal."""
        wanted = keys_by_reference(keys, wire.document_number)
        found = self._posted_documents(list(wanted))
        for group in in_groups(sorted(wanted), CHUNK):
            where = " or ".join(f"documentNumber eq {wire.quote(d)}" for d in group)
            found |= {
                str(ln.get("documentNumber"))
                for ln in self._odata.pages(self._lines_url(), **{"$filter": where})
            }
        return {wanted[d] for d in found if d in wanted}

    # ------------------------------------------------------------------ posting

    def _after_posting(self, results: Sequence[PostResult | ConnectorError]) -> None:
        """With `post_journal`, post the journal once after a call that wrote lines."""
        if self._post_journal and any(
            getattr(r, "outcome", None) is PostOutcome.POSTED for r in results
        ):
            self._post_batch()

    def _prefetch(self, applications: Sequence[Application]) -> _Seen:
        """Our lines pending or posted, and the invoices now net of every pending line on them.

        Unposted journal lines do not lower an invoice's `remainingAmount` yet, so they are
        subtracted here: two applications to one invoice never add up to an overpayment.
        """
        seen = _Seen(invoices=OpenInvoices(self._name, "Business Central"))
        mine = keys_by_reference([a.idempotency_key for a in applications], wire.document_number)
        numbers = invoice_numbers(applications)
        where = " or ".join(
            [f"documentNumber eq {wire.quote(d)}" for d in sorted(mine)]
            + [f"appliesToInvoiceNumber eq {wire.quote(n)}" for n in numbers]
        )
        pending: dict[str, Decimal] = {}
        for line in self._odata.pages(self._lines_url(), **{"$filter": where}):
            document = str(line.get("documentNumber"))
            number = str(line.get("appliesToInvoiceNumber") or "")
            if document in mine:
                seen.lines.setdefault(mine[document], set()).add(number)
            pending[number] = pending.get(number, Decimal(0)) + abs(wire.money(line["amount"]))
        seen.posted = {mine[d] for d in self._posted_documents(list(mine))}
        if numbers:
            where = " or ".join(f"number eq {wire.quote(n)}" for n in numbers)
            params = {"$filter": where, "$select": wire.INVOICE_FIELDS}
            for entity in self._odata.pages(f"{self._odata.company()}/salesInvoices", **params):
                number = str(entity["number"])
                left = wire.money(entity["remainingAmount"]) - pending.get(number, Decimal(0))
                seen.invoices.put(number, str(entity.get("status")), left, str(entity["id"]))
        return seen

    def _post(self, application: Application, seen: _Seen) -> PostResult:
        key = application.idempotency_key
        document = wire.document_number(key)
        existing = seen.lines.setdefault(key, set())
        todo = [a for a in application.allocations if (a.invoice_id or "") not in existing]
        if key in seen.posted or not todo:
            return PostResult(outcome=PostOutcome.ALREADY_POSTED, erp_reference=document)
        seen.invoices.take(todo, with_adjustment=True)
        bodies = [self._line(application, a) for a in todo]
        failure = journal.write_all_or_nothing(self._api, self._lines_url(), bodies)
        if failure is not None:
            seen.invoices.give_back(todo, with_adjustment=True)
            where = {"$filter": f"documentNumber eq {wire.quote(document)}"}
            kept = list(self._odata.pages(self._lines_url(), **where))
            journal.remove_kept(self._api, self._lines_url(), kept, document, failure)
            raise failure
        existing.update(a.invoice_id or "" for a in todo)
        return PostResult(outcome=PostOutcome.POSTED, erp_reference=document)

    def _post_many(
        self, chunk: Sequence[Application], seen: _Seen
    ) -> list[PostResult | ConnectorError]:
        """Applications of one line share `$batch` calls; those of several lines go alone."""
        outcomes: dict[int, PostResult | ConnectorError] = {}
        single: dict[int, tuple[Application, Allocation]] = {}
        for n, application in enumerate(chunk):
            key = application.idempotency_key
            existing = seen.lines.setdefault(key, set())
            todo = [a for a in application.allocations if (a.invoice_id or "") not in existing]
            if len(todo) != 1 or key in seen.posted:
                outcomes[n] = self._one(application, seen)
                continue
            try:
                seen.invoices.take(todo, with_adjustment=True)
            except ConnectorError as exc:
                outcomes[n] = exc
                continue
            single[n] = (application, todo[0])
        if single:
            outcomes.update(self._write_singles(single, seen))
        return [outcomes[n] for n in range(len(chunk))]

    def _one(self, application: Application, seen: _Seen) -> PostResult | ConnectorError:
        try:
            return self._post(application, seen)
        except ConnectorError as exc:
            return exc

    def _write_singles(
        self, single: dict[int, tuple[Application, Allocation]], seen: _Seen
    ) -> dict[int, PostResult | ConnectorError]:
        bodies = {n: self._line(a, x) for n, (a, x) in single.items()}
        try:
            refused = journal.write_each(self._api, self._lines_url(), bodies)
        except ConnectorError as exc:  # the whole call failed: every line waits (looked up again)
            for _application, allocation in single.values():
                seen.invoices.give_back([allocation], with_adjustment=True)
            return dict.fromkeys(single, exc)
        outcomes: dict[int, PostResult | ConnectorError] = {}
        for n, (application, allocation) in single.items():
            error = refused[n]
            if error is not None:
                seen.invoices.give_back([allocation], with_adjustment=True)
                outcomes[n] = error
                continue
            seen.lines[application.idempotency_key].add(allocation.invoice_id or "")
            document = wire.document_number(application.idempotency_key)
            outcomes[n] = PostResult(outcome=PostOutcome.POSTED, erp_reference=document)
        return outcomes

    def _line(self, application: Application, allocation: Allocation) -> dict[str, Any]:
        key = application.idempotency_key
        body: dict[str, Any] = {
            "customerNumber": allocation.customer_id,
            "postingDate": application.booked_on.isoformat(),
            "documentNumber": wire.document_number(key),
            "externalDocumentNumber": wire.external_document_number(key),
            "amount": self._sign * allocation.amount,
            "description": wire.description(key, application.evidence),
        }
        if allocation.invoice_id:
            body["appliesToInvoiceNumber"] = allocation.invoice_id
        return body

    def _check_journal_is_ours(self, *, start: bool = False) -> bool:
        """Whether every line of the journal batch is arbridge's (at start: refuse to run if not)."""
        url = (
            f"{self._odata.company()}/customerPaymentJournals({self._journal_id})/customerPayments"
        )
        lines = self._odata.pages(url, **{"$select": "id,documentNumber"})
        message = journal.foreign_lines(lines, self._journal_code)
        if message is None:
            return True
        if start:
            raise PermanentConnectorError(self._name, message)
        log.warning("journal_not_posted", connector=self._name, reason=message)
        return False

    def _post_batch(self) -> None:
        try:
            if not self._check_journal_is_ours():
                return
            url = f"{self._odata.company()}/journals({self._journal()})/Microsoft.NAV.post"
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
    api_url: str = API_HOST,
    token_url: str = TOKEN_URL,
    retry: RetryPolicy | None = None,
    limiter: RequestLimiter | None = None,
    limiter_factory: LimiterFactory = AdaptiveRateLimiter,
    transport: httpx.BaseTransport | None = None,
    clock: Callable[[], float] = time.monotonic,
    payment_discounts: bool = False,
) -> BusinessCentralErpGateway:
    """A gateway with its own HTTP client, token cache and rate limit (6,000 per 5 min by default)."""
    api = rest_client(
        connector=name,
        base_url=f"{api_url.rstrip('/')}/v2.0/{tenant}/{environment}/api/v2.0/",
        timeout=timeout,
        map_error=wire.map_error,
        windows=[Window(requests_per_minute, 60.0), Window(6000, 300.0)],
        limiter=limiter,
        limiter_factory=limiter_factory,
        retry=retry,
        secrets=(client_secret,),
        transport=transport,
        auth=lambda http: ClientCredentialsAuth(
            connector=name,
            http=http,
            token_url=token_url.replace("{tenant}", tenant),
            client_id=client_id,
            client_secret=client_secret,
            scope=SCOPE,
            clock=clock,
        ),
    )
    return BusinessCentralErpGateway(
        name=name,
        api=api,
        company=company,
        journal_code=journal_code,
        currency=currency,
        post_journal=post_journal,
        payment_discounts=payment_discounts,
    )
