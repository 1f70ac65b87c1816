"""Business Central: customer payments entered in the cash-receipt journals, as a posted-payments reader.

API v2.0 documents `customerPaymentJournals` and their `customerPayments` lines
(`customerNumber`, `postingDate`, `documentNumber`, `externalDocumentNumber`, `amount`,
`appliesToInvoiceNumber`, `description`, `comment`); one line applies to one invoice, and
lines sharing a `documentNumber` are one receipt. Receipts are negative amounts (either
sign is read as cash received). Once a journal is posted its lines leave the journal and
API v2.0 documents no entity listing posted customer ledger entries, so this reader sees
what people have entered and not posted yet: every read returns every line (`complete`
False, so payments read before stay known). arbridge's own lines (its
`externalDocumentNumber`) are left out.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import httpx

from arbridge.connectors.base import PaymentBatch
from arbridge.connectors.erp._http import (
    ClientCredentialsAuth,
    HttpClient,
    LimiterFactory,
    RateLimiter,
    RequestLimiter,
    RetryPolicy,
    Window,
)
from arbridge.connectors.erp._own import is_own_reference
from arbridge.connectors.erp.business_central import wire
from arbridge.connectors.erp.business_central.gateway import API_HOST, SCOPE, TOKEN_URL
from arbridge.connectors.erp.business_central.odata import CompanyReader
from arbridge.domain.posted import PostedAllocation, PostedPayment

PAGE = 500


class BusinessCentralPaymentReader:
    """Customer payment journal lines of one BC company."""

    def __init__(self, *, name: str, api: HttpClient, company: str, page_size: int = PAGE) -> None:
        self._name = name
        self._odata = CompanyReader(name=name, api=api, company=company, page_size=page_size)

    @property
    def name(self) -> str:
        """The ERP connector's configured name."""
        return self._name

    def fetch_payments_since(self, cursor: str | None) -> PaymentBatch:
        """Every receipt in every customer payment journal (journals are small; no cursor)."""
        company = self._odata.company()
        receipts: dict[str, list[dict[str, Any]]] = {}
        for journal in self._odata.pages(f"{company}/customerPaymentJournals"):
            url = f"{company}/customerPaymentJournals({journal['id']})/customerPayments"
            for line in self._odata.pages(url):
                if is_own_reference(str(line.get("externalDocumentNumber") or "")):
                    continue
                document = str(line.get("documentNumber") or line["id"])
                receipts.setdefault(f"{journal.get('code', journal['id'])}:{document}", []).append(
                    line
                )
        payments = [receipt(pid, lines) for pid, lines in sorted(receipts.items())]
        return PaymentBatch(payments=payments, cursor=None, complete=False)


def receipt(payment_id: str, lines: list[dict[str, Any]]) -> PostedPayment:
    """The journal lines of one document number as one payment (a line without invoice is on account)."""
    first = lines[0]
    texts = [str(x) for line in lines for x in (line.get("description"), line.get("comment")) if x]
    return PostedPayment(
        payment_id=payment_id,
        customer_id=str(first.get("customerNumber") or ""),
        paid_on=date.fromisoformat(str(first["postingDate"])),
        allocations=tuple(
            PostedAllocation(
                invoice_id=str(line.get("appliesToInvoiceNumber") or "") or None,
                amount=abs(wire.money(line.get("amount", 0))),
            )
            for line in lines
        ),
        reference=str(first.get("externalDocumentNumber") or ""),
        memo=" ".join(dict.fromkeys(texts)),
    )


def build_reader(
    *,
    name: str,
    tenant: str,
    environment: str,
    company: str,
    client_id: str,
    client_secret: str,
    requests_per_minute: int = 1200,
    timeout: float = 60.0,
    api_host: str = API_HOST,
    token_url: str = TOKEN_URL,
    retry: RetryPolicy | None = None,
    limiter: RequestLimiter | None = None,
    limiter_factory: LimiterFactory = RateLimiter,
    transport: httpx.BaseTransport | None = None,
) -> BusinessCentralPaymentReader:
    """A reader with its own HTTP client and token cache."""
    http = httpx.Client(
        base_url=f"{api_host.rstrip('/')}/v2.0/{tenant}/{environment}/api/v2.0/",
        timeout=httpx.Timeout(timeout, connect=10.0),
        transport=transport,
    )
    auth = ClientCredentialsAuth(
        connector=name,
        http=http,
        token_url=token_url.replace("{tenant}", tenant),
        client_id=client_id,
        client_secret=client_secret,
        scope=SCOPE,
        clock=time.monotonic,
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
    return BusinessCentralPaymentReader(name=name, api=api, company=company)
