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
date (API v2.0 has no discount field). Write-offs (`write_off_journal`): a line of their
own in a journal balancing to the write-off account, in the same `$batch` as the cash
(`writeoff`). Corrections (`corrections`): a reversing journal line (`reversal`).

Journal hygiene (`post_journal`): arbridge posts only a journal batch holding nothing
but its own lines. Give it a batch of its own (`journal_code`); the batch is checked
at start and before every post, and a batch with lines arbridge did not write is
never posted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import structlog

from arbridge.connectors.base import (
    ErpCapability,
    InvoiceBatch,
    PostOutcome,
    PostResult,
)
from arbridge.connectors.erp._http import (
    HttpClient,
)
from arbridge.connectors.erp._http.gateway import (
    FlowGateway,
    OpenInvoices,
    PostingFlow,
    in_groups,
    invoice_numbers,
    keys_by_reference,
)
from arbridge.connectors.erp.business_central import journal, wire
from arbridge.connectors.erp.business_central.odata import CompanyReader
from arbridge.connectors.erp.business_central.posted import BusinessCentralPostedLedger
from arbridge.connectors.erp.business_central.reversal import CorrectionSettings, Reverser
from arbridge.connectors.erp.business_central.writeoff import (
    WriteOffJournals,
    WriteOffPlan,
    has_write_off,
)
from arbridge.connectors.errors import (
    CapabilityMissingError,
    ConnectorError,
    PermanentConnectorError,
)
from arbridge.domain.records import Allocation, Application, Customer

log = structlog.get_logger("arbridge.erp.business_central")

_HINT = (
    " (discounts: set payment_discounts: true, BC grants them when it posts the applied line"
    " within the invoice's discount date; write-offs: set write_off_journal and"
    " write_off_account)"
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
    held: set[str] = field(default_factory=set)
    """Keys with any line pending in any of arbridge's journals (cash or write-off)."""
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
        write_offs: WriteOffPlan | None = None,
        corrections: CorrectionSettings | None = None,
    ) -> None:
        self._name, self._api = name, api
        self._company_name, self._journal_code = company, journal_code
        self._currency, self._post_journal = currency, post_journal
        self._sign = Decimal(-1 if receipts_negative else 1)
        self._odata = CompanyReader(name=name, api=api, company=company, page_size=page_size)
        self._journal_id: str | None = None
        self._journal_entity: dict[str, Any] = {}
        self._write_offs = WriteOffJournals(
            name=name, api=api, odata=self._odata, plan=write_offs or WriteOffPlan()
        )
        self._reverser = None if corrections is None else self._make_reverser(corrections)
        extra = {ErpCapability.DISCOUNT} if payment_discounts else set()
        extra |= {ErpCapability.WRITE_OFF} if self._write_offs.plan.enabled else set()
        extra |= {ErpCapability.REVERSE} if corrections is not None else set()
        self._flow = PostingFlow(
            name,
            CAPABILITIES | extra,
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
            self._journal_entity = found[0]
            self._journal_id = str(found[0]["id"])
            if self._post_journal:
                self._ours(self._journal_code, self._lines_url(), start=True)
        return self._journal_id

    def _make_reverser(self, settings: CorrectionSettings) -> Reverser:
        def cash_journal() -> dict[str, Any]:
            self._journal()
            return self._journal_entity

        return Reverser(
            name=self._name,
            api=self._api,
            odata=self._odata,
            settings=settings,
            cash_journal=cash_journal,
            cash_lines_url=self._lines_url,
            write_offs=self._write_offs,
        )

    def probe(self) -> str:
        """Authenticate and read one page (companies, one customer); writes nothing.

        With write-offs or corrections configured, their journals are looked up too: one
        whose balancing account is not the configured one is refused here.
        """
        company = self._odata.company()
        url = f"{company}/customers"
        self._odata.get(url, **{"$top": "1", "$select": "number"})
        said = [f"company {self._company_name!r} found; customers readable"]
        if self._write_offs.plan.enabled:
            said.append(self._write_offs.describe())
        if self._reverser is not None:
            said.append(self._reverser.describe())
        return "; ".join(said)

    def _write_off_urls(self) -> list[str]:
        return self._write_offs.existing_urls() if self._write_offs.plan.enabled else []

    def _write_off_accounts(self) -> frozenset[str]:
        return self._write_offs.accounts()

    def _correction_lines_url(self) -> str | None:
        if self._reverser is None:
            return None
        found = self._reverser.journal_id(create=False)
        return None if found is None else self._reverser.lines_url(found)

    def fetch_customers(self) -> Sequence[Customer]:
        """Every customer of the company."""
        url = f"{self._odata.company()}/customers"
        select = "id,number,displayName,currencyCode,email,phoneNumber,lastModifiedDateTime"
        return [
            wire.customer(c, self._currency) for c in self._odata.pages(url, **{"$select": select})
        ]

    def fetch_invoices_since(self, cursor: str | None) -> InvoiceBatch:
        """Open invoices (no cursor) or every invoice modified after the cursor timestamp.

        Each open amount is net of the lines waiting in arbridge's journals: BC lowers
        `remainingAmount` only when a journal is posted, and a payment sent but not yet
        posted must not read as money still open. An incremental read also returns every
        invoice such lines apply to: BC does not mark it modified, yet what is open changed.
        """
        where = f"lastModifiedDateTime gt {cursor}" if cursor else "status eq 'Open'"
        params = {"$filter": where, "$select": wire.INVOICE_FIELDS}
        url = f"{self._odata.company()}/salesInvoices"
        entities = list(self._odata.pages(url, **params))
        stamps = [str(e["lastModifiedDateTime"]) for e in entities if e.get("lastModifiedDateTime")]
        next_cursor = max([*stamps, cursor or ""]) or None
        waiting = journal.pending_by_invoice(
            self._odata, [self._lines_url(), *self._write_off_urls()]
        )
        unread = sorted(set(waiting) - {str(e["number"]) for e in entities}) if cursor else []
        for group in in_groups(unread, CHUNK):  # waiting lines change what BC leaves unmodified
            where = " or ".join(f"number eq {wire.quote(n)}" for n in group)
            entities += self._odata.pages(url, **{"$filter": where, "$select": wire.INVOICE_FIELDS})
        invoices = [journal.net_of(wire.invoice(e, self._currency), waiting) for e in entities]
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
            self._post_batch(self._journal_code, self._lines_url(), self._journal())
            for target in self._write_offs.plan.targets():
                found = self._write_offs.journal_id(target, create=False)
                if found is not None:
                    self._post_batch(target.journal, self._write_offs.lines_url(found), found)

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
        for url in [self._lines_url(), *self._write_off_urls()]:
            for line in self._odata.pages(url, **{"$filter": where}):
                document = str(line.get("documentNumber"))
                number = str(line.get("appliesToInvoiceNumber") or "")
                if document in mine:
                    seen.held.add(mine[document])
                    if url == self._lines_url():
                        seen.lines.setdefault(mine[document], set()).add(number)
                amount = abs(wire.money(line["amount"]))
                pending[number] = pending.get(number, Decimal(0)) + amount
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
        if key in seen.held and has_write_off(application):  # one $batch: all there, or none
            return PostResult(outcome=PostOutcome.ALREADY_POSTED, erp_reference=document)
        seen.invoices.take(todo, with_adjustment=True)
        try:
            items = [(self._lines_url(), self._line(application, a)) for a in todo]
            items += self._write_offs.lines(application, todo, self._sign)
        except ConnectorError:
            seen.invoices.give_back(todo, with_adjustment=True)
            raise
        failure = journal.write_all_or_nothing_at(self._api, items)
        if failure is not None:
            seen.invoices.give_back(todo, with_adjustment=True)
            where = {"$filter": f"documentNumber eq {wire.quote(document)}"}
            for url in dict.fromkeys(u for u, _ in items):
                kept = list(self._odata.pages(url, **where))
                journal.remove_kept(self._api, url, kept, document, failure)
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
            if len(todo) != 1 or key in seen.posted or has_write_off(application):
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

    def _ours(self, code: str, lines_url: str, *, start: bool = False) -> bool:
        return journal.holds_only_ours(self._odata, self._name, code, lines_url, start=start)

    def _post_batch(self, code: str, lines_url: str, journal_id: str) -> None:
        journal.post_if_ours(self._api, self._odata, self._name, (code, lines_url, journal_id))

    def reverse_application(self, application: Application, erp_reference: str) -> PostResult:
        """Undo a posted payment by a reversing journal line (`corrections`; see `reversal`)."""
        if self._reverser is None:
            raise CapabilityMissingError(
                self._name,
                "Business Central API v2.0 cannot unapply a payment; set corrections: true to "
                "correct by a reversing journal line",
            )
        result = self._reverser.reverse(application, erp_reference)
        found = self._reverser.journal_id(create=False)
        if self._post_journal and result.outcome is PostOutcome.POSTED and found is not None:
            code = self._reverser.settings.journal
            self._post_batch(code, self._reverser.lines_url(found), found)
        return result
