"""A fake QuickBooks Online company for respx, in the reference's wire shapes (§3)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import httpx

from arbridge.domain.records import Customer, Invoice
from bench.erp_fakes import routes
from bench.erp_fakes.fault import Faults

if TYPE_CHECKING:
    import respx

REALM = "9341453000000001"
BASE = f"https://quickbooks.api.intuit.com/v3/company/{REALM}/"
TOKEN_URL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
CLIENT = base64.b64encode(b"client-1:qbo-s3cret").decode()
TIME = "2026-11-23T08:15:02.511-07:00"


def fault(
    status: int, code: str, message: str, kind: str = "ValidationFault", detail: str = ""
) -> httpx.Response:
    """A QBO Fault body (code is a string)."""
    error = {"Message": message, "Detail": detail or message, "code": code, "element": ""}
    return httpx.Response(status, json={"Fault": {"Error": [error], "type": kind}, "time": TIME})


def _json(body: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(
        status, content=json.dumps(body, default=str), headers={"Content-Type": "application/json"}
    )


def _stamp(seconds: int, zone: str) -> str:
    """2026-11-02T03:00:00 plus `seconds`, ISO with `zone` (ordered as text and as time)."""
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return f"2026-11-02T{3 + hours:02d}:{minute:02d}:{second:02d}{zone}"


class FakeQuickBooks:
    """One realm: customers, invoices (Balance), payments, rotating refresh tokens."""

    def __init__(self, customers: Sequence[Customer], invoices: Sequence[Invoice]) -> None:
        self.customers = list(customers)
        self.invoices = {i.invoice_id: i for i in invoices}
        self.ids = {i.invoice_id: str(1000 + n) for n, i in enumerate(invoices)}
        self.updated = dict.fromkeys(self.invoices, "2026-11-01T03:00:00-07:00")
        self.payments: dict[str, dict[str, Any]] = {}
        self.credit_memos: dict[str, dict[str, Any]] = {}
        """CreditMemos by `Id` (`Balance` is the credit not yet applied)."""
        self.replies: dict[str, httpx.Response] = {}
        self.refresh_token, self.access_n = "rt-0", 0
        self.faults = Faults()
        self.batches = 0
        self.refuse: set[str] = set()
        """Invoices whose payment lines QuickBooks refuses (a business validation error)."""

    def touch(self, number: str, **changes: Any) -> None:
        """Change an invoice as a user would."""
        self.invoices[number] = replace(self.invoices[number], **changes)
        self.updated[number] = _stamp(len(self.payments), "-07:00")

    def ledger(self) -> list[tuple[str, str]]:
        """(PaymentRefNum, "") of every Payment created: a reference twice is a double."""
        return [(str(p["PaymentRefNum"]), "") for p in self.payments.values()]

    def add_invoice(self, invoice: Invoice) -> None:
        """A new invoice, updated a second after the latest change before it."""
        latest = max(self.updated.values(), default="2026-11-01T03:00:00-07:00")
        self.invoices[invoice.invoice_id] = invoice
        self.ids[invoice.invoice_id] = str(1000 + len(self.ids))
        stamp = datetime.fromisoformat(latest) + timedelta(seconds=1)
        self.updated[invoice.invoice_id] = stamp.isoformat()

    def held(self) -> list[tuple[str, str, str | None, Decimal, Decimal]]:
        """The realm's ledger: (PaymentRefNum, PrivateNote, invoice or None, cash, 0) per line.

        What a Payment leaves unapplied is a line without invoice; a voided one holds nothing.
        """
        by_id = {v: k for k, v in self.ids.items()}
        found: list[tuple[str, str, str | None, Decimal, Decimal]] = []
        for p in self.payments.values():
            ref, note = str(p["PaymentRefNum"]), str(p.get("PrivateNote") or "")
            lines = [
                (by_id[line["LinkedTxn"][0]["TxnId"]], Decimal(str(line["Amount"])))
                for line in p["Line"]
                if line["LinkedTxn"][0]["TxnType"] == "Invoice"
            ]
            found += [(ref, note, number, amount, Decimal(0)) for number, amount in lines]
            rest = Decimal(str(p["TotalAmt"])) - _applied(p["Line"])
            if rest:
                found.append((ref, note, None, rest, Decimal(0)))
        return found

    def install(self, router: respx.MockRouter) -> None:
        """Register every route."""
        routes.install(router, self.routes())

    def routes(self) -> list[routes.Route]:
        """Every route, behind the fault hooks (for respx or the live stand-in)."""
        f = self.faults
        base = httpx.URL(BASE)
        return [
            routes.route("POST", TOKEN_URL, f.wrap("token", self._token)),
            routes.route("GET", f"{BASE}query", f.wrap("query", self._query)),
            routes.route("POST", f"{BASE}payment", f.wrap("payment", self._payment)),
            routes.route("POST", f"{BASE}batch", f.wrap("batch", self._batch)),
            routes.route("POST", f"{BASE}creditmemo", f.wrap("creditmemo", self._credit_memo)),
            routes.route_regex(
                "GET",
                f"{base.scheme}://{base.host}",
                re.escape(base.raw_path.decode()) + r"payment/\d+",
                f.wrap("read", self._read),
            ),
        ]

    # ------------------------------------------------------------------ auth
    def _token(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == f"Basic {CLIENT}"
        form = parse_qs(request.content.decode())
        if form.get("grant_type") != ["refresh_token"] or form.get("refresh_token") != [
            self.refresh_token
        ]:
            return _json({"error": "invalid_grant"}, 400)
        n = int(self.refresh_token.split("-")[1]) + 1
        self.refresh_token, self.access_n = f"rt-{n}", self.access_n + 1
        return _json(
            {
                "access_token": f"at-{self.access_n}",
                "refresh_token": self.refresh_token,
                "expires_in": 3600,
                "x_refresh_token_expires_in": 8726400,
                "token_type": "bearer",
            }
        )

    def _check(self, request: httpx.Request) -> httpx.Response | None:
        assert request.url.params.get("minorversion") == "75"
        if request.headers.get("Authorization") != f"Bearer at-{self.access_n}":
            return httpx.Response(
                401,
                json={
                    "fault": {
                        "error": [
                            {
                                "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                                "detail": "Token expired",
                                "code": "3200",
                            }
                        ],
                        "type": "AUTHENTICATION",
                    },
                    "time": TIME,
                },
            )
        return None

    # ------------------------------------------------------------------ entities
    def _invoice(self, number: str) -> dict[str, Any]:
        i = self.invoices[number]
        return {
            "domain": "QBO",
            "sparse": False,
            "Id": self.ids[number],
            "SyncToken": "0",
            "MetaData": {
                "CreateTime": "2026-10-01T09:01:22-07:00",
                "LastUpdatedTime": self.updated[number],
            },
            "DocNumber": number,
            "TxnDate": i.invoice_date.isoformat(),
            "DueDate": i.due_date.isoformat(),
            "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
            "LinkedTxn": [],
            "CustomerRef": {"value": i.customer_id, "name": i.customer_id},
            "TotalAmt": float(i.amount),
            "Balance": float(i.open_amount),
            "CustomField": [
                {"DefinitionId": "1", "Name": "Sales Rep", "Type": "StringType", "StringValue": rep}
                for rep in [i.sales_rep]
                if rep
            ],
        }

    def _query(self, request: httpx.Request) -> httpx.Response:
        denied = self._check(request)
        if denied is not None:
            return denied
        text = request.url.params["query"]
        m = re.fullmatch(
            r"SELECT \* FROM (\w+)(?: WHERE (.*?))?(?: ORDERBY [\w.]+)? STARTPOSITION (\d+) MAXRESULTS (\d+)",
            text,
        )
        if m is None:
            return fault(400, "4000", "Error parsing query", detail=f"QueryParserError: {text}")
        entity, where, start, size = m.group(1), m.group(2) or "", int(m.group(3)), int(m.group(4))
        rows = self._rows(entity, where)[start - 1 : start - 1 + size]
        body: dict[str, Any] = {
            "QueryResponse": {entity: rows, "startPosition": start, "maxResults": len(rows)}
            if rows
            else {},
            "time": TIME,
        }
        return _json(body)

    def _rows(self, entity: str, where: str) -> list[dict[str, Any]]:
        if entity == "Customer":
            return [_customer(c) for c in self.customers]
        if entity == "CreditMemo":
            assert where.startswith("DocNumber IN ("), where
            wanted = set(re.findall(r"'([^']*)'", where))
            return [m for m in self.credit_memos.values() if m["DocNumber"] in wanted]
        if entity == "Payment" and not where:  # every Payment (the audit's listing)
            return list(self.payments.values())
        if entity == "Payment":
            assert where.startswith("PaymentRefNum IN ("), where
            refs = set(re.findall(r"'([^']*)'", where))
            return [p for p in self.payments.values() if p["PaymentRefNum"] in refs]
        numbers = sorted(self.invoices, key=lambda n: self.updated[n])
        if where == "Balance > '0'":
            numbers = [n for n in numbers if self.invoices[n].open_amount > 0]
        elif where.startswith("MetaData.LastUpdatedTime > "):
            since = datetime.fromisoformat(where.split("'")[1])
            numbers = [n for n in numbers if datetime.fromisoformat(self.updated[n]) > since]
        elif where.startswith("DocNumber IN"):
            wanted = set(re.findall(r"'([^']*)'", where))
            numbers = [n for n in numbers if n in wanted]
        return [self._invoice(n) for n in numbers]

    # ------------------------------------------------------------------ payments
    def _admit(self, request: httpx.Request, limit: int) -> tuple[str, httpx.Response | None]:
        """The request's `requestid` (at most `limit` characters), and an answer that ends the
        call now: a refused token, or the first answer to that `requestid` (replayed)."""
        denied = self._check(request)
        if denied is not None:
            return "", denied
        request_id = request.url.params.get("requestid")
        assert request_id
        assert len(request_id) <= limit
        return request_id, self.replies.get(request_id)

    def _payment(self, request: httpx.Request) -> httpx.Response:
        request_id, early = self._admit(request, 50)
        if early is not None:
            return early
        body = json.loads(request.content, parse_float=Decimal)
        if request.url.params.get("operation") == "void":
            answer = self._void(body)
        else:
            answer = self._create(body)
        if answer.status_code == 200:
            self.replies[request_id] = answer
        return answer

    def _batch(self, request: httpx.Request) -> httpx.Response:
        """`batch`: each item is created on its own; a Fault answers for its item only."""
        request_id, early = self._admit(request, 36)
        if early is not None:
            return early
        items = json.loads(request.content, parse_float=Decimal)["BatchItemRequest"]
        assert len(items) <= 30
        answers: list[dict[str, Any]] = []
        for item in items:
            assert len(item["bId"]) <= 10
            assert item["operation"] == "create"
            answer = self._create(item["Payment"])
            body = json.loads(answer.content, parse_float=Decimal)
            if answer.status_code == 200:
                answers.append({"bId": item["bId"], "Payment": body["Payment"]})
            else:
                answers.append({"bId": item["bId"], "Fault": body["Fault"]})
        reply = _json({"BatchItemResponse": answers, "time": TIME})
        self.replies[request_id] = reply
        self.batches += 1
        return reply

    def _credit_memo(self, request: httpx.Request) -> httpx.Response:
        """`creditmemo` create: sales lines on an item; `requestid` replays the first answer."""
        request_id, early = self._admit(request, 50)
        if early is not None:
            return early
        body = json.loads(request.content, parse_float=Decimal)
        assert len(body["DocNumber"]) <= 21
        for line in body["Line"]:
            assert line["DetailType"] == "SalesItemLineDetail"
            assert line["SalesItemLineDetail"]["ItemRef"]["value"]
        total = sum((Decimal(line["Amount"]) for line in body["Line"]), Decimal(0))
        memo_id = str(3000 + len(self.credit_memos))
        memo = {**body, "Id": memo_id, "SyncToken": "0", "TotalAmt": total, "Balance": total}
        memo["RemainingCredit"] = total
        self.credit_memos[memo_id] = memo
        answer = _json({"CreditMemo": memo, "time": TIME})
        self.replies[request_id] = answer
        return answer

    def _create(self, body: dict[str, Any]) -> httpx.Response:
        by_id = {v: k for k, v in self.ids.items()}
        credits = [x for x in body["Line"] if x["LinkedTxn"][0]["TxnType"] == "CreditMemo"]
        for line in credits:
            memo = self.credit_memos.get(line["LinkedTxn"][0]["TxnId"])
            if memo is None or Decimal(line["Amount"]) > memo["Balance"]:
                return fault(400, "6000", "A business validation error has occurred")
        for line in [x for x in body["Line"] if x not in credits]:
            number = by_id.get(line["LinkedTxn"][0]["TxnId"])
            if number is None:
                return fault(
                    400,
                    "610",
                    "Object Not Found",
                    detail="Something you're trying to use has been made inactive",
                )
            if number in self.refuse or Decimal(line["Amount"]) > self.invoices[number].open_amount:
                return fault(
                    400,
                    "6000",
                    "A business validation error has occurred",
                    detail="The amount applied is more than the balance",
                )
        for line in credits:
            self._credit(line, -Decimal(line["Amount"]))
        for line in [x for x in body["Line"] if x not in credits]:
            number = by_id[line["LinkedTxn"][0]["TxnId"]]
            self.touch(
                number, open_amount=self.invoices[number].open_amount - Decimal(line["Amount"])
            )
        applied = _applied(body["Line"])
        pid = str(2000 + len(self.payments))
        payment = {
            **body,
            "Id": pid,
            "SyncToken": "0",
            "domain": "QBO",
            "sparse": False,
            "ProcessPayment": False,
            "UnappliedAmt": Decimal(body["TotalAmt"]) - applied,
            "MetaData": {"CreateTime": TIME, "LastUpdatedTime": TIME},
        }
        self.payments[pid] = payment
        return _json({"Payment": payment, "time": TIME})

    def _void(self, body: dict[str, Any]) -> httpx.Response:
        payment = self.payments[body["Id"]]
        if body["SyncToken"] != payment["SyncToken"]:
            return fault(
                400,
                "5010",
                "Stale Object Error",
                detail="You and root were working on this at the same time.",
            )
        by_id = {v: k for k, v in self.ids.items()}
        for line in payment["Line"]:
            if line["LinkedTxn"][0]["TxnType"] == "CreditMemo":
                self._credit(line, Decimal(line["Amount"]))
                continue
            number = by_id[line["LinkedTxn"][0]["TxnId"]]
            self.touch(
                number, open_amount=self.invoices[number].open_amount + Decimal(line["Amount"])
            )
        payment.update(
            TotalAmt=0, Line=[], SyncToken=str(int(payment["SyncToken"]) + 1), PrivateNote="Voided"
        )
        return _json({"Payment": payment, "time": TIME})

    def _credit(self, line: dict[str, Any], change: Decimal) -> None:
        memo = self.credit_memos[line["LinkedTxn"][0]["TxnId"]]
        memo["Balance"] = memo["RemainingCredit"] = memo["Balance"] + change

    def _read(self, request: httpx.Request) -> httpx.Response:
        denied = self._check(request)
        if denied is not None:
            return denied
        pid = request.url.path.rsplit("/", 1)[1]
        if pid not in self.payments:
            return fault(400, "610", "Object Not Found")
        return _json({"Payment": self.payments[pid], "time": TIME})


def _applied(lines: Sequence[dict[str, Any]]) -> Decimal:
    """What a Payment's lines take from its cash: invoice lines less the credit memos linked."""
    total = Decimal(0)
    for line in lines:
        sign = -1 if line["LinkedTxn"][0]["TxnType"] == "CreditMemo" else 1
        total += sign * Decimal(str(line["Amount"]))
    return total


def _customer(c: Customer) -> dict[str, Any]:
    """A QBO Customer; `PrimaryEmailAddr` and `PrimaryPhone` only when it has them."""
    row: dict[str, Any] = {
        "Id": c.customer_id,
        "SyncToken": "0",
        "DisplayName": c.name,
        "Active": True,
        "CurrencyRef": {"value": "USD"},
    }
    if c.email:
        row["PrimaryEmailAddr"] = {"Address": c.email}
    if c.phone:
        row["PrimaryPhone"] = {"FreeFormNumber": c.phone}
    return row
