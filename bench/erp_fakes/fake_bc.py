"""A fake Business Central API v2.0 tenant for respx, in the reference's wire shapes (§2)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import httpx

from arbridge.domain.records import Customer, Invoice
from bench.erp_fakes import routes
from bench.erp_fakes.fake_bc_journals import BcJournals, journal_id_in
from bench.erp_fakes.fault import Faults

if TYPE_CHECKING:
    import respx

HOST = "https://api.businesscentral.dynamics.com"
BASE = f"{HOST}/v2.0/tenant-1/Production/api/v2.0/"
TOKEN_URL = "https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token"
CID, JID = "9b2c0000-0000-0000-0000-000000000001", "4d5e0000-0000-0000-0000-000000000002"
COMPANY = f"{BASE}companies({CID})"


def error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    """A BC error body."""
    body = {"error": {"code": code, "message": f"{message}  CorrelationId:  2c5d0000-0000"}}
    return httpx.Response(status, json=body, headers=headers)


@dataclass
class _Inv:
    invoice: Invoice
    status: str
    modified: str


def _stamp(seconds: int, zone: str) -> str:
    """2026-11-02T10:00:00 plus `seconds`, ISO with `zone` (ordered as text and as time)."""
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return f"2026-11-02T{10 + hours:02d}:{minute:02d}:{second:02d}{zone}"


class FakeBusinessCentral(BcJournals):
    """State of one company plus the routes that serve it."""

    def __init__(self, customers: Sequence[Customer], invoices: Sequence[Invoice]) -> None:
        super().__init__(JID, COMPANY)
        self.customers = list(customers)
        self.invoices = {
            i.invoice_id: _Inv(i, "Open" if i.is_open else "Paid", "2026-11-01T10:00:00Z")
            for i in invoices
        }
        self.lines: list[dict[str, object]] = []
        self.posted: list[dict[str, object]] = []
        """Lines that `Microsoft.NAV.post` turned into ledger entries (the ERP's own ledger)."""
        self.faults = Faults()
        self.tokens_issued = 0
        self.bearer_seen: list[str] = []
        self.clock = 0
        self.honour_isolation = True
        self.refuse_invoices: set[str] = set()
        """Invoices whose payment lines BC refuses when written (e.g. a closed period)."""
        self.payment_discounts: dict[str, tuple[str, Decimal]] = {}
        """Invoice -> (Pmt. Discount Date, discount possible): granted by posting within the date."""

    # ------------------------------------------------------------------ state helpers
    def touch(self, number: str, **changes: object) -> None:
        """Change an invoice as a user would (bumps lastModifiedDateTime)."""
        self.clock += 1
        inv = self.invoices[number]
        status = str(changes.pop("status", inv.status))
        inv.invoice = replace(inv.invoice, **changes)  # type: ignore[arg-type]  # keyword overrides of a test builder, checked at run time by the record's constructor
        inv.status, inv.modified = status, _stamp(self.clock, "Z")

    def add(self, invoice: Invoice) -> None:
        """A new invoice, as a user would post it (modified after everything so far)."""
        self.clock += 1
        self.invoices[invoice.invoice_id] = _Inv(invoice, "Open", _stamp(self.clock, "Z"))

    def add_invoice(self, invoice: Invoice) -> None:
        """A new open invoice, modified after everything before it."""
        self.invoices[invoice.invoice_id] = _Inv(invoice, "Open", "")
        self.touch(invoice.invoice_id)

    def journal_amount(self, number: str | None) -> Decimal:
        """What the journal lines apply to one invoice (None: unapplied lines)."""
        return sum(
            (
                -Decimal(str(ln["amount"]))
                for ln in self.lines
                if ln.get("appliesToInvoiceNumber") == number
            ),
            Decimal(0),
        )

    # ------------------------------------------------------------------ routes
    def install(self, router: respx.MockRouter) -> None:
        """Register every route on a respx router."""
        routes.install(router, self.routes())

    def routes(self) -> list[routes.Route]:
        """Every route, behind the fault hooks (for respx or the live stand-in)."""
        f = self.faults
        company = re.escape(httpx.URL(COMPANY).raw_path.decode())
        payments = company + r"/customerPaymentJournals\([^)]+\)/customerPayments"
        general = company + r"/journals\([^)]+\)/journalLines"
        return [
            routes.route("POST", TOKEN_URL, f.wrap("token", self._token)),
            routes.route("GET", f"{BASE}companies", f.wrap("companies", self._companies)),
            routes.route("GET", f"{COMPANY}/customers", f.wrap("customers", self._customers)),
            routes.route("GET", f"{COMPANY}/salesInvoices", f.wrap("invoices", self._invoices)),
            routes.route(
                "GET", f"{COMPANY}/customerPaymentJournals", f.wrap("journals", self._journals)
            ),
            routes.route(
                "POST",
                f"{COMPANY}/customerPaymentJournals",
                f.wrap("create_journal", self._create_journal),
            ),
            routes.route("GET", f"{COMPANY}/journals", f.wrap("journals", self._general)),
            routes.route(
                "POST", f"{COMPANY}/journals", f.wrap("create_journal", self._create_general)
            ),
            routes.route_regex("GET", HOST, payments, f.wrap("lines", self._lines)),
            routes.route_regex("POST", HOST, payments, f.wrap("add_line", self._add_line)),
            routes.route_regex(
                "DELETE", HOST, payments + r"\([^)]+\)", f.wrap("delete_line", self._delete_line)
            ),
            routes.route_regex("GET", HOST, general, f.wrap("journal_lines", self._gl_lines)),
            routes.route_regex(
                "POST", HOST, general, f.wrap("add_journal_line", self._add_gl_line)
            ),
            routes.route_regex(
                "DELETE", HOST, general + r"\([^)]+\)", f.wrap("delete_line", self._delete_line)
            ),
            routes.route("POST", f"{BASE}$batch", f.wrap("batch", self._batch)),
            routes.route(
                "GET", f"{COMPANY}/generalLedgerEntries", f.wrap("gl_entries", self._gl_entries)
            ),
            routes.route_regex(
                "POST",
                HOST,
                company + r"/journals\([^)]+\)/Microsoft\.NAV\.post",
                f.wrap("post", self._post),
            ),
        ]

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = parse_qs(request.content.decode())
        if form.get("client_secret") != ["s3cret-value"]:
            return httpx.Response(
                401,
                json={
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided. "
                    "Ensure the secret being sent in the request is the client secret value, "
                    "not the client secret ID. Trace ID: 0f1e-0000",
                },
            )
        self.tokens_issued += 1
        return httpx.Response(
            200,
            json={
                "token_type": "Bearer",
                "expires_in": 3599,
                "access_token": f"tok-{self.tokens_issued}",
            },
        )

    def _authorized(self, request: httpx.Request) -> httpx.Response | None:
        self.bearer_seen.append(request.headers.get("Authorization", ""))
        if not request.headers.get("Authorization", "").startswith("Bearer tok-"):
            return error(
                401, "Authentication_InvalidCredentials", "The credentials provided are incorrect"
            )
        return None

    def _page(self, request: httpx.Request, rows: list[dict[str, object]]) -> httpx.Response:
        denied = self._authorized(request)
        if denied is not None:
            return denied
        prefer = re.search(r"maxpagesize=(\d+)", request.headers.get("Prefer", ""))
        size = int(prefer.group(1)) if prefer else 20000
        skip = int(request.url.params.get("$skiptoken", "0"))
        body: dict[str, object] = {
            "@odata.context": f"{BASE}$metadata#x",
            "value": rows[skip : skip + size],
        }
        if skip + size < len(rows):
            params = dict(request.url.params)
            params["$skiptoken"] = str(skip + size)
            body["@odata.nextLink"] = str(request.url.copy_with(params=params))
        return httpx.Response(
            200, content=json.dumps(body, default=str), headers={"Content-Type": "application/json"}
        )

    def _companies(self, request: httpx.Request) -> httpx.Response:
        return self._page(
            request,
            [
                {
                    "id": CID,
                    "systemVersion": "25.0",
                    "name": "CRONUS USA, Inc.",
                    "displayName": "CRONUS",
                }
            ],
        )

    def _customers(self, request: httpx.Request) -> httpx.Response:
        rows: list[dict[str, object]] = [
            {
                "@odata.etag": 'W/"JzE5"',
                "id": str(uuid.uuid5(uuid.NAMESPACE_OID, c.customer_id)),
                "number": c.customer_id,
                "displayName": c.name,
                "currencyCode": "",
                "email": c.email or "",  # BC sends "" for a customer without one
                "phoneNumber": c.phone or "",
                "lastModifiedDateTime": "2026-11-01T10:00:00Z",
            }
            for c in self.customers
        ]
        return self._page(request, rows)

    def _invoice_row(self, inv: _Inv) -> dict[str, object]:
        i = inv.invoice
        return {
            "@odata.etag": 'W/"JzE5OzU1"',
            "id": str(uuid.uuid5(uuid.NAMESPACE_OID, i.invoice_id)),
            "number": i.invoice_id,
            "customerNumber": i.customer_id,
            "invoiceDate": i.invoice_date.isoformat(),
            "dueDate": i.due_date.isoformat(),
            "totalAmountIncludingTax": float(i.amount),
            "remainingAmount": float(i.open_amount),
            "currencyCode": "USD",
            "status": inv.status,
            "customerPurchaseOrderReference": i.po_number or "",
            "salesperson": i.sales_rep or "",
            "orderNumber": i.order_ref or "",
            "lastModifiedDateTime": inv.modified,
        }

    def _invoices(self, request: httpx.Request) -> httpx.Response:
        where = request.url.params.get("$filter", "")
        rows = list(self.invoices.values())
        if where == "status eq 'Open'":
            rows = [r for r in rows if r.status == "Open"]
        elif where.startswith("lastModifiedDateTime gt "):
            rows = [r for r in rows if r.modified > where.removeprefix("lastModifiedDateTime gt ")]
        elif where:
            wanted = set(re.findall(r"number eq '([^']*)'", where))
            rows = [r for r in rows if r.invoice.invoice_id in wanted]
        return self._page(request, [self._invoice_row(r) for r in rows])

    def _lines(self, request: httpx.Request) -> httpx.Response:
        journal_id = journal_id_in(request.url.path, "customerPaymentJournals")
        where = request.url.params.get("$filter", "")
        mine = [ln for ln in self.lines if ln["journalId"] == journal_id]
        if not where:  # the whole journal batch
            return self._page(request, mine)
        keys = set(re.findall(r"documentNumber eq '([^']*)'", where))
        numbers = set(re.findall(r"appliesToInvoiceNumber eq '([^']*)'", where))
        rows = [
            ln
            for ln in mine
            if ln["documentNumber"] in keys or ln.get("appliesToInvoiceNumber") in numbers
        ]
        return self._page(request, rows)

    def _delete_line(self, request: httpx.Request) -> httpx.Response:
        denied = self._authorized(request)
        if denied is not None:
            return denied
        assert request.headers.get("If-Match"), "DELETE needs If-Match"
        lid = request.url.path.rsplit("(", 1)[1].rstrip(")")
        before = len(self.lines) + len(self.gl_lines)
        self.lines = [ln for ln in self.lines if ln["id"] != lid]
        self.gl_lines = [ln for ln in self.gl_lines if ln["id"] != lid]
        if len(self.lines) + len(self.gl_lines) == before:
            return error(404, "BadRequest_NotFound", "The journal line does not exist.")
        return httpx.Response(204)

    def _batch(self, request: httpx.Request) -> httpx.Response:
        """OData JSON `$batch`; with `Isolation: snapshot` one failure rolls back every write."""
        denied = self._authorized(request)
        if denied is not None:
            return denied
        snapshot = request.headers.get("Isolation") == "snapshot" and self.honour_isolation
        kept, kept_gl = list(self.lines), list(self.gl_lines)
        answers: list[dict[str, object]] = []
        for item in json.loads(request.content, parse_float=Decimal)["requests"]:
            assert item["method"] == "POST"
            assert item["url"].endswith(("/customerPayments", "/journalLines")), item["url"]
            sub = httpx.Request(
                "POST",
                BASE + item["url"],
                headers={**request.headers, **item.get("headers", {})},
                content=json.dumps(item["body"], default=str),
            )
            general = item["url"].endswith("/journalLines")  # faults aim at the whole batch
            answer = self._add_gl_line(sub) if general else self._add_line(sub)
            answers.append(
                {
                    "id": item["id"],
                    "status": answer.status_code,
                    "headers": {},
                    "body": answer.json(),
                }
            )
        if snapshot and any(int(str(a["status"])) >= 300 for a in answers):
            self.lines, self.gl_lines = kept, kept_gl
        return httpx.Response(
            200,
            content=json.dumps({"responses": answers}, default=str),
            headers={"Content-Type": "application/json"},
        )

    def add_foreign_line(self, number: str, amount: str) -> None:
        """A line finance typed in by hand (its own document number)."""
        self.lines.append(
            {
                "id": str(uuid.uuid4()),
                "journalId": JID,
                "documentNumber": "G00042",
                "externalDocumentNumber": "CHK-9931",
                "customerNumber": self.invoices[number].invoice.customer_id,
                "postingDate": "2026-11-02",
                "amount": str(-Decimal(amount)),
                "appliesToInvoiceNumber": number,
                "description": "typed by finance",
            }
        )

    def _add_line(self, request: httpx.Request) -> httpx.Response:
        denied = self._authorized(request)
        if denied is not None:
            return denied
        body = json.loads(request.content, parse_float=Decimal)
        if len(body["documentNumber"]) > 20 or len(body["externalDocumentNumber"]) > 35:
            return error(
                400, "Application_StringExceededLength", "externalDocumentNumber is too long"
            )
        journal_id = journal_id_in(request.url.path, "customerPaymentJournals")
        if journal_id not in self.journals:
            return error(404, "BadRequest_NotFound", "The journal does not exist.")
        number = body.get("appliesToInvoiceNumber")
        if number in self.refuse_invoices:
            return error(
                400,
                "Application_DialogException",
                "You are not allowed to apply and post an entry to an entry with an earlier posting date.",
            )
        if number is not None and number not in self.invoices:
            return error(
                400, "Internal_RecordNotFound", f"The Sales Invoice {number} does not exist."
            )
        line = {
            "@odata.etag": 'W/"JzIw"',
            "id": str(uuid.uuid4()),
            "journalId": journal_id,
            "journalDisplayName": self.code_of(journal_id),
            "lineNumber": 10000 * (len(self.lines) + 1),
            "comment": "",
            **body,
            "amount": str(body["amount"]),
        }
        self.lines.append(line)
        return httpx.Response(
            201, content=json.dumps(line, default=str), headers={"Content-Type": "application/json"}
        )

    def _post(self, request: httpx.Request) -> httpx.Response:
        journal_id = journal_id_in(request.url.path, "journals")
        if journal_id in self.general:
            if not self.post_general(journal_id):
                return error(400, "Application_DialogException", "There is nothing to post.")
            return httpx.Response(204)
        lines = [ln for ln in self.lines if ln["journalId"] == journal_id]
        if not lines:
            return error(400, "Application_DialogException", "There is nothing to post.")
        for line in lines:
            number = line.get("appliesToInvoiceNumber")
            if isinstance(number, str):
                inv = self.invoices[number].invoice
                left = inv.open_amount + Decimal(str(line["amount"]))
                until, possible = self.payment_discounts.get(number, ("", Decimal(-1)))
                if left == possible and str(line["postingDate"]) <= until:
                    left = Decimal(0)  # BC books the payment discount on application
                self.touch(number, open_amount=left, status="Open" if left > 0 else "Paid")
        self.post_payment_lines(lines)
        self.posted.extend(lines)
        self.lines = [ln for ln in self.lines if ln["journalId"] != journal_id]
        return httpx.Response(204)
