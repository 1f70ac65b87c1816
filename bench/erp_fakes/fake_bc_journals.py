"""The fake Business Central's journals: customer payment journals, general journal batches,
their lines, posting them into customer and G/L entries, and the company's ledger.

Shapes: reference §2.5-2.6 (`customerPaymentJournals`, `customerPayments`, `journals`,
`Microsoft.NAV.post`) and Microsoft's API v2.0 `journalLine` (account, balancing account;
its GET returns only lines on a "G/L Account" or "Bank Account", as documented).

Posting a customer payment journal lowers each applied invoice and writes two G/L entries
per line: a credit on receivables (13100) and a debit on the journal's balancing account.
Posting a general journal line writes the line's account and its balancing customer's
receivables; a customer debited so stays open for that amount (`open_debits`).
"""

from __future__ import annotations

import json
import re
import uuid
from decimal import Decimal
from typing import Any

import httpx

RECEIVABLES = "13100"
CASH_ACCOUNT = "10100"
"""The cash receipt journal's balancing account (the bank's G/L account)."""
SHOWN_IN_GET = ("G/L Account", "Bank Account")
"""journalLines GET returns only lines on these account types (Microsoft's API v2.0 note)."""


def json_response(status: int, body: object) -> httpx.Response:
    """A JSON answer (Decimals written as numbers' text)."""
    return httpx.Response(
        status, content=json.dumps(body, default=str), headers={"Content-Type": "application/json"}
    )


def journal_id_in(path: str, collection: str) -> str:
    """The id inside `<collection>(<id>)` of a URL path."""
    return path.split(f"{collection}(", 1)[1].split(")", 1)[0]


class BcJournals:
    """Journal state and the G/L of one fake company (mixed into the fake)."""

    def __init__(self, cash_journal_id: str, company_url: str) -> None:
        self.cash_journal_id, self.company_url = cash_journal_id, company_url
        self.journals: dict[str, dict[str, object]] = {
            cash_journal_id: {
                "id": cash_journal_id,
                "code": "CASHRCPT",
                "displayName": "Cash receipts",
                "balancingAccountNumber": CASH_ACCOUNT,
                "lastModifiedDateTime": "2026-11-01T10:00:00Z",
            }
        }
        """Customer payment journal batches by id."""
        self.general: dict[str, dict[str, object]] = {}
        """General journal batches (`journals`) by id."""
        self.gl_lines: list[dict[str, object]] = []
        """General journal lines waiting to be posted."""
        self.posted_gl: list[dict[str, object]] = []
        self.gl: list[dict[str, object]] = []
        """G/L entries written by posting."""
        self.open_debits: list[tuple[str, Decimal, str]] = []
        """(customer, amount, document) a posted reversing line left open on a customer."""

    # ------------------------------------------------------------------ batches
    def code_of(self, journal_id: str) -> str:
        """The code of any journal batch."""
        batch = self.journals.get(journal_id) or self.general.get(journal_id) or {}
        return str(batch.get("code", ""))

    @staticmethod
    def new_batch(body: dict[str, Any], **extra: object) -> dict[str, object]:
        """A batch created through the API."""
        return {
            "@odata.etag": 'W/"JzEx"',
            "id": str(uuid.uuid4()),
            "code": str(body["code"]).upper(),
            "displayName": body.get("displayName", ""),
            "lastModifiedDateTime": "2026-11-02T09:00:00Z",
            **extra,
        }

    def batches(self, where: str, rows: dict[str, dict[str, object]]) -> list[dict[str, object]]:
        """Batches, filtered by `code eq '...'` if asked."""
        if where.startswith("code eq '"):
            code = where.removeprefix("code eq '").rstrip("'")
            return [b for b in rows.values() if b["code"] == code]
        return list(rows.values())

    # ------------------------------------------------------------------ general lines
    def general_line(self, journal_id: str, body: dict[str, Any]) -> httpx.Response:
        """A journalLines POST (validated as BC would, within what the fake knows)."""
        if journal_id not in self.general:
            return _error(404, "BadRequest_NotFound", "The journal does not exist.")
        for needed in ("accountType", "accountNumber", "documentNumber", "amount"):
            if needed not in body:
                return _error(400, "BadRequest", f"{needed} is missing")
        if len(str(body.get("description", ""))) > 100:
            return _error(400, "Application_StringExceededLength", "description is too long")
        if (
            len(str(body["documentNumber"])) > 20
            or len(str(body.get("externalDocumentNumber", ""))) > 35
        ):
            return _error(400, "Application_StringExceededLength", "a number is too long")
        line = {
            "@odata.etag": 'W/"JzIx"',
            "id": str(uuid.uuid4()),
            "journalId": journal_id,
            "journalDisplayName": self.code_of(journal_id),
            "lineNumber": 10000 * (len(self.gl_lines) + 1),
            "comment": "",
            **body,
            "amount": str(body["amount"]),
        }
        self.gl_lines.append(line)
        return json_response(201, line)

    def general_lines(self, journal_id: str, where: str) -> list[dict[str, object]]:
        """A journalLines GET: this batch's lines the GET shows, by document number if asked."""
        rows = [
            ln
            for ln in self.gl_lines
            if ln["journalId"] == journal_id and ln.get("accountType") in SHOWN_IN_GET
        ]
        if where.startswith("documentNumber eq '"):
            wanted = where.removeprefix("documentNumber eq '").rstrip("'")
            rows = [ln for ln in rows if ln["documentNumber"] == wanted]
        return rows

    # ------------------------------------------------------------------ posting
    def entry(self, line: dict[str, object], account: str, amount: Decimal) -> None:
        """One G/L entry: a positive amount is a debit, a negative one a credit."""
        self.gl.append(
            {
                "id": str(uuid.uuid4()),
                "entryNumber": len(self.gl) + 1,
                "postingDate": line["postingDate"],
                "documentNumber": line["documentNumber"],
                "documentType": "Payment" if "customerNumber" in line else "",
                "accountNumber": account,
                "description": line.get("description", ""),
                "debitAmount": str(max(amount, Decimal(0))),
                "creditAmount": str(max(-amount, Decimal(0))),
            }
        )

    def post_payment_lines(self, lines: list[dict[str, object]]) -> None:
        """G/L entries of customer payment lines (receivables credited, balancing debited)."""
        for line in lines:
            amount = Decimal(str(line["amount"]))
            balancing = str(self.journals[str(line["journalId"])]["balancingAccountNumber"])
            self.entry(line, RECEIVABLES, amount)
            self.entry(line, balancing, -amount)

    def post_general(self, journal_id: str) -> bool:
        """Post a general journal batch; False when it holds nothing."""
        lines = [ln for ln in self.gl_lines if ln["journalId"] == journal_id]
        if not lines:
            return False
        for line in lines:
            amount = Decimal(str(line["amount"]))
            self.entry(line, str(line["accountNumber"]), amount)
            self.entry(line, RECEIVABLES, -amount)
            if line.get("balanceAccountType") == "Customer":
                customer = str(line["balancingAccountNumber"])
                self.open_debits.append((customer, -amount, str(line["documentNumber"])))
        self.posted_gl.extend(lines)
        self.gl_lines = [ln for ln in self.gl_lines if ln["journalId"] != journal_id]
        return True

    def gl_rows(self, keys: set[str], prefix: str | None) -> list[dict[str, object]]:
        """G/L entries under these document numbers (or every one starting with `prefix`)."""
        if prefix is not None:
            return [e for e in self.gl if str(e["documentNumber"]).startswith(prefix)]
        return [e for e in self.gl if e["documentNumber"] in keys]

    # ------------------------------------------------------------------ the ledger
    def reversals(self) -> dict[str, Decimal]:
        """What reversing lines (pending or posted) take back, by the document they undo."""
        back: dict[str, Decimal] = {}
        for line in [*self.posted_gl, *self.gl_lines]:
            text = str(line.get("description") or "")
            if text.startswith("reverses "):
                undone = text.removeprefix("reverses ").split(";", 1)[0]
                back[undone] = back.get(undone, Decimal(0)) - Decimal(str(line["amount"]))
        return back

    # ------------------------------------------------------------------ what the fake provides
    lines: list[dict[str, object]]
    posted: list[dict[str, object]]

    def _page(self, request: httpx.Request, rows: list[dict[str, object]]) -> httpx.Response:
        raise NotImplementedError

    def _authorized(self, request: httpx.Request) -> httpx.Response | None:
        raise NotImplementedError

    def _post(self, request: httpx.Request) -> httpx.Response:
        raise NotImplementedError

    # ------------------------------------------------------------------ ledger and finance
    def ledger(self) -> list[tuple[str, str]]:
        """(documentNumber, what) of every line written, pending or posted: a pair twice is a double.

        `what` is the invoice of a cash receipt line; `invoice@JOURNAL` of a line of another
        customer payment journal (a write-off); `account@JOURNAL` of a general journal line.
        """
        pairs = []
        for ln in [*self.posted, *self.lines]:
            what = str(ln.get("appliesToInvoiceNumber") or "")
            if ln["journalId"] != self.cash_journal_id:
                what += "@" + self.code_of(str(ln["journalId"]))
            pairs.append((str(ln["documentNumber"]), what))
        pairs += [
            (
                str(ln["documentNumber"]),
                f"{ln['accountNumber']}@{self.code_of(str(ln['journalId']))}",
            )
            for ln in [*self.posted_gl, *self.gl_lines]
        ]
        return pairs

    def held(self) -> list[tuple[str, str, str | None, Decimal, Decimal]]:
        """The company's ledger: (documentNumber, description, invoice or None, cash, adjustment).

        Lines waiting in the journals and lines posted alike: both are money in BC. A line
        of a journal other than the cash receipt journal is a write-off (adjustment); what
        reversing lines take back is netted out of the document they undo.
        """
        rows = []
        for ln in [*self.posted, *self.lines]:
            amount = -Decimal(str(ln["amount"]))
            cash = ln["journalId"] == self.cash_journal_id
            rows.append(
                (
                    str(ln["documentNumber"]),
                    str(ln.get("description") or ""),
                    str(ln.get("appliesToInvoiceNumber") or "") or None,
                    amount if cash else Decimal(0),
                    Decimal(0) if cash else amount,
                )
            )
        return net(rows, self.reversals())

    def finance_posts(self) -> None:
        """Finance posts every journal from BC itself (what `Microsoft.NAV.post` does)."""
        for journal_id in sorted({str(ln["journalId"]) for ln in [*self.lines, *self.gl_lines]}):
            self.post_payment_journal(journal_id)

    def post_payment_journal(self, journal_id: str) -> None:
        """Finance posts one journal batch from BC itself."""
        self._post(
            httpx.Request("POST", f"{self.company_url}/journals({journal_id})/Microsoft.NAV.post")
        )

    # ------------------------------------------------------------------ batch routes
    def _journals(self, request: httpx.Request) -> httpx.Response:
        where = request.url.params.get("$filter", "")
        return self._page(request, self.batches(where, self.journals))

    def _general(self, request: httpx.Request) -> httpx.Response:
        where = request.url.params.get("$filter", "")
        return self._page(request, self.batches(where, self.general))

    def _create_journal(self, request: httpx.Request) -> httpx.Response:
        denied = self._authorized(request)
        if denied is not None:
            return denied
        body = json.loads(request.content)
        if self.batches(f"code eq '{str(body['code']).upper()}'", self.journals):
            return _error(400, "Internal_EntityWithSameKeyExists", "The journal batch exists.")
        batch = self.new_batch(
            body, balancingAccountNumber=str(body.get("balancingAccountNumber") or "")
        )
        self.journals[str(batch["id"])] = batch
        return json_response(201, batch)

    def _create_general(self, request: httpx.Request) -> httpx.Response:
        denied = self._authorized(request)
        if denied is not None:
            return denied
        body = json.loads(request.content)
        if self.batches(f"code eq '{str(body['code']).upper()}'", self.general):
            return _error(400, "Internal_EntityWithSameKeyExists", "The journal batch exists.")
        batch = self.new_batch(body)
        self.general[str(batch["id"])] = batch
        return json_response(201, batch)

    def _gl_lines(self, request: httpx.Request) -> httpx.Response:
        journal_id = journal_id_in(request.url.path, "journals")
        where = request.url.params.get("$filter", "")
        return self._page(request, self.general_lines(journal_id, where))

    def _add_gl_line(self, request: httpx.Request) -> httpx.Response:
        denied = self._authorized(request)
        if denied is not None:
            return denied
        body = json.loads(request.content, parse_float=Decimal)
        return self.general_line(journal_id_in(request.url.path, "journals"), body)

    def _gl_entries(self, request: httpx.Request) -> httpx.Response:
        """Posted G/L entries: one per posted line, found by documentNumber."""
        where = request.url.params.get("$filter", "")
        keys = set(re.findall(r"documentNumber eq '([^']*)'", where))
        prefix = re.search(r"startswith\(documentNumber,'([^']*)'\)", where)
        return self._page(request, self.gl_rows(keys, prefix.group(1) if prefix else None))


def net(
    rows: list[tuple[str, str, str | None, Decimal, Decimal]], back: dict[str, Decimal]
) -> list[tuple[str, str, str | None, Decimal, Decimal]]:
    """Rows with what reversals take back removed (cash first, then adjustments)."""
    left = dict(back)
    out = []
    for document, memo, invoice, cash, adjustment in rows:
        parts = []
        for value in (cash, adjustment):
            take = min(value, left.get(document, Decimal(0)))
            left[document] = left.get(document, Decimal(0)) - take
            parts.append(value - take)
        if parts[0] > 0 or parts[1] > 0:
            out.append((document, memo, invoice, parts[0], parts[1]))
    return out


def _error(status: int, code: str, message: str) -> httpx.Response:
    body = {"error": {"code": code, "message": f"{message}  CorrelationId:  2c5d0000-0000"}}
    return httpx.Response(status, json=body)
