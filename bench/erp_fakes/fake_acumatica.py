"""A fake Acumatica tenant (Default/24.200.001) for respx, in the reference's wire shapes (§1)."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import httpx

from arbridge.domain.records import Customer, Invoice
from bench.erp_fakes import routes
from bench.erp_fakes.fault import Faults

if TYPE_CHECKING:
    import respx

SITE = "https://erp.example.com/AcumaticaERP"
BASE = f"{SITE}/entity/Default/24.200.001/"


def http_error(status: int, message: str, kind: str = "PX.Data.PXException") -> httpx.Response:
    """Acumatica's HttpError body."""
    body = {
        "message": "An error has occurred.",
        "exceptionMessage": message,
        "exceptionType": kind,
        "stackTrace": "   at PX.Api…",
    }
    return httpx.Response(status, json=body)


def w(value: Any) -> dict[str, Any]:
    """A field wrapper (`{}` when empty)."""
    return {} if value is None else {"value": value}


def _json(body: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(
        status, content=json.dumps(body, default=str), headers={"Content-Type": "application/json"}
    )


def session_of(request: httpx.Request) -> str | None:
    """The cookie session a request belongs to (its `.ASPXAUTH`), if any."""
    found = re.search(r"\.ASPXAUTH=(\w+)", request.headers.get("Cookie", ""))
    return found.group(1) if found else None


def _stamp(seconds: int, zone: str) -> str:
    """2026-11-02T10:00:00 plus `seconds`, ISO with `zone` (ordered as text and as time)."""
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return f"2026-11-02T{10 + hours:02d}:{minute:02d}:{second:02d}{zone}"


class FakeAcumatica:
    """Customers, AR invoices, payments with release/void, cookie sessions with licence seats."""

    def __init__(
        self, customers: Sequence[Customer], invoices: Sequence[Invoice], *, seats: int = 2
    ) -> None:
        self.customers = list(customers)
        self.invoices = {i.invoice_id: i for i in invoices}
        self.status = {i.invoice_id: "Open" if i.is_open else "Closed" for i in invoices}
        self.modified = dict.fromkeys(self.invoices, "2026-11-01T10:00:00+00:00")
        self.payments: dict[str, dict[str, Any]] = {}
        self.sessions: set[str] = set()
        self.seats, self.logins, self.logouts = seats, 0, 0
        self.jobs: dict[str, list[int]] = {}
        self.release_seconds: float | None = None
        """If set, a release job runs this long (wall clock) instead of answering 202 once,
        and the payment stays Balanced until it ends."""
        self._deadlines: dict[str, float] = {}
        self._running: dict[str, str] = {}
        """Release jobs of `release_seconds` still running: job -> payment number."""
        self.failing_releases: list[str] = []
        """Messages of the next release jobs to fail (the payment stays Balanced)."""
        self._failed: dict[str, str] = {}
        self.faults = Faults()
        self.hidden: set[str] = set()
        """Invoices the list reads show but look-ups by number do not (a lagging replica)."""
        self._lock = threading.Lock()

    def touch(self, number: str, **changes: Any) -> None:
        """Change an invoice as a user would."""
        self.status[number] = changes.pop("status", self.status[number])
        self.invoices[number] = replace(self.invoices[number], **changes)
        self.modified[number] = _stamp(len(self.payments), "+00:00")

    def add(self, invoice: Invoice) -> None:
        """A new open invoice, as a user would release it."""
        self.invoices[invoice.invoice_id] = invoice
        self.status[invoice.invoice_id] = "Open"
        self.modified[invoice.invoice_id] = _stamp(
            len(self.payments) + len(self.invoices), "+00:00"
        )

    def ledger(self) -> list[tuple[str, str]]:
        """(PaymentRef, "") of every payment created: a reference twice is a double."""
        return [(str(p["PaymentRef"]["value"]), "") for p in self.payments.values()]

    def add_invoice(self, invoice: Invoice) -> None:
        """A new open invoice, modified a second after the latest change before it."""
        latest = max(self.modified.values(), default="2026-11-01T10:00:00+00:00")
        self.invoices[invoice.invoice_id] = invoice
        self.status[invoice.invoice_id] = "Open"
        stamp = datetime.fromisoformat(latest) + timedelta(seconds=1)
        self.modified[invoice.invoice_id] = stamp.isoformat()

    def held(self) -> list[tuple[str, str, str | None, Decimal, Decimal]]:
        """The tenant's own ledger: (PaymentRef, Description, invoice or None, cash, adjustment).

        One row per document applied, one without invoice for what the payment leaves
        unapplied; a voided payment holds nothing.
        """
        found: list[tuple[str, str, str | None, Decimal, Decimal]] = []
        for p in self.payments.values():
            if p["Status"]["value"] == "Voided":
                continue
            ref, memo = str(p["PaymentRef"]["value"]), str(p["Description"]["value"])
            rows = [
                (
                    str(row["ReferenceNbr"]["value"]),
                    Decimal(str(row["AmountPaid"]["value"])),
                    sum(
                        (
                            Decimal(str(row.get(k, {}).get("value", 0)))
                            for k in ("CashDiscountTaken", "BalanceWriteOff")
                        ),
                        Decimal(0),
                    ),
                )
                for row in p.get("DocumentsToApply", [])
            ]
            found += [(ref, memo, number, cash, adj) for number, cash, adj in rows]
            rest = Decimal(str(p["PaymentAmount"]["value"])) - sum(
                (c for _n, c, _a in rows), Decimal(0)
            )
            if rest:
                found.append((ref, memo, None, rest, Decimal(0)))
        return found

    def install(self, router: respx.MockRouter) -> None:
        """Register every route."""
        routes.install(router, self.routes())

    def routes(self) -> list[routes.Route]:
        """Every route, behind the fault hooks (for respx or the live stand-in)."""
        f = _Guarded(self.faults, self._lock)
        site = httpx.URL(SITE)
        origin = f"{site.scheme}://{site.host}"
        base = re.escape(httpx.URL(BASE).raw_path.decode())
        return [
            routes.route("POST", f"{SITE}/entity/auth/login", f.wrap("login", self._login)),
            routes.route("POST", f"{SITE}/entity/auth/logout", f.wrap("logout", self._logout)),
            routes.route("GET", f"{BASE}Customer", f.wrap("customers", self._customers)),
            routes.route("GET", f"{BASE}Invoice", f.wrap("invoices", self._invoices)),
            routes.route_regex(
                "GET", origin, base + "Invoice/Invoice/.+", f.wrap("invoice", self._invoice)
            ),
            routes.route("GET", f"{BASE}Payment", f.wrap("find", self._find)),
            routes.route_regex(
                "GET",
                origin,
                base + r"Payment/[^/]+/[^/?]+(\?.*)?$",
                f.wrap("payment", self._payment),
            ),
            routes.route("PUT", f"{BASE}Payment", f.wrap("put", self._put)),
            routes.route("POST", f"{BASE}Payment/ReleasePayment", f.wrap("release", self._release)),
            routes.route("POST", f"{BASE}Payment/VoidPayment", f.wrap("void", self._void)),
            routes.route_regex("GET", "", ".*/status/.+", f.wrap("poll", self._poll)),
        ]

    # ------------------------------------------------------------------ sessions
    def _login(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body.get("name") != "apiuser" or body.get("password") != "acu-s3cret":
            return http_error(500, "Error: Invalid credentials. Please try again.")
        if len(self.sessions) >= self.seats:
            return http_error(429, "API Login Limit reached")
        sid = uuid.uuid4().hex
        self.sessions.add(sid)
        self.logins += 1
        return httpx.Response(
            204,
            headers=[
                ("Set-Cookie", f".ASPXAUTH={sid}; path=/; HttpOnly"),
                ("Set-Cookie", f"ASP.NET_SessionId=s{sid}; path=/; HttpOnly"),
            ],
        )

    def _sid(self, request: httpx.Request) -> str | None:
        sid = session_of(request)
        return sid if sid in self.sessions else None

    def _logout(self, request: httpx.Request) -> httpx.Response:
        sid = self._sid(request)
        if sid is not None:
            self.sessions.discard(sid)
            self.logouts += 1
        return httpx.Response(204)

    def _denied(self, request: httpx.Request) -> httpx.Response | None:
        return None if self._sid(request) else http_error(401, "You are not logged in.")

    # ------------------------------------------------------------------ reading
    def _paged(self, request: httpx.Request, rows: list[dict[str, Any]]) -> httpx.Response:
        denied = self._denied(request)
        if denied is not None:
            return denied
        top, skip = (
            int(request.url.params.get("$top", "100000")),
            int(request.url.params.get("$skip", "0")),
        )
        return _json(rows[skip : skip + top])

    def _customers(self, request: httpx.Request) -> httpx.Response:
        rows = [
            {
                "id": str(uuid.uuid4()),
                "rowNumber": n + 1,
                "note": w(""),
                "CustomerID": w(c.customer_id),
                "CustomerName": w(c.name),
                "CurrencyID": w("USD"),
                "ParentRecord": w(c.parent_id),
                "Terms": w(c.terms or None),
                "custom": {},
                **_contact(c, "MainContact" in request.url.params.get("$expand", "")),
            }
            for n, c in enumerate(self.customers)
        ]
        return self._paged(request, rows)

    def _row(self, number: str, custom: str = "") -> dict[str, Any]:
        i = self.invoices[number]
        view, _, field = custom.partition(".")
        extra = {view: {field: {"type": "CustomStringField", "value": i.sales_rep}}}
        return {
            "id": str(uuid.uuid5(uuid.NAMESPACE_OID, number)),
            "rowNumber": 1,
            "note": w(""),
            "Amount": w(float(i.amount)),
            "Balance": w(float(i.open_amount)),
            "Customer": w(i.customer_id),
            "Date": w(f"{i.invoice_date}T00:00:00+00:00"),
            "DueDate": w(f"{i.due_date}T00:00:00+00:00"),
            "LastModifiedDateTime": w(self.modified[number]),
            "ReferenceNbr": w(number),
            "Status": w(self.status[number]),
            "Type": w("Invoice"),
            "CustomerOrder": w(i.po_number),
            "Project": w(i.order_ref or "X"),
            "Terms": w(i.terms or None),
            "custom": extra if field == "SalesPersonID" and i.sales_rep else {},
        }

    def _invoices(self, request: httpx.Request) -> httpx.Response:
        self._finish_jobs()
        where = request.url.params.get("$filter", "")
        numbers = sorted(self.invoices)
        if where == "Type eq 'Invoice' and Status eq 'Open'":
            numbers = [n for n in numbers if self.status[n] == "Open"]
        elif "ReferenceNbr eq" in where:
            wanted = set(re.findall(r"ReferenceNbr eq '([^']*)'", where)) - self.hidden
            numbers = [n for n in numbers if n in wanted]
        else:
            since = re.fullmatch(
                r"Type eq 'Invoice' and LastModifiedDateTime gt datetimeoffset'(.+)'", where
            )
            assert since, where
            numbers = [n for n in numbers if self.modified[n] > since.group(1)]
        custom = request.url.params.get("$custom", "")
        return self._paged(request, [self._row(n, custom) for n in numbers])

    def _invoice(self, request: httpx.Request) -> httpx.Response:
        denied = self._denied(request)
        if denied is not None:
            return denied
        number = request.url.path.rsplit("/", 1)[1]
        if number not in self.invoices:
            return http_error(
                500,
                "No entity satisfies the condition.",
                "PX.Api.ContractBased.NoEntitySatisfiesTheConditionException",
            )
        return _json(self._row(number))

    def _find(self, request: httpx.Request) -> httpx.Response:
        self._finish_jobs()
        where = request.url.params.get("$filter", "")
        one = re.fullmatch(r"PaymentRef eq '([^']*)' and CustomerID eq '([^']*)'", where)
        if one is not None:
            rows = [
                p
                for p in self.payments.values()
                if p["PaymentRef"]["value"] == one.group(1)
                and p["CustomerID"]["value"] == one.group(2)
            ]
        elif where == "Type eq 'Payment'":  # every payment (the audit's listing)
            rows = list(self.payments.values())
        else:
            refs = set(re.findall(r"PaymentRef eq '([^']*)'", where))
            assert refs, where
            rows = [p for p in self.payments.values() if p["PaymentRef"]["value"] in refs]
        return self._paged(request, rows)

    def _payment(self, request: httpx.Request) -> httpx.Response:
        """GET Payment/{Type}/{ReferenceNbr}: one payment by its key."""
        denied = self._denied(request)
        if denied is not None:
            return denied
        number = request.url.path.rsplit("/", 1)[1]
        self._finish_jobs()
        if number not in self.payments:
            return http_error(
                500,
                "No entity satisfies the condition.",
                "PX.Api.ContractBased.NoEntitySatisfiesTheConditionException",
            )
        return _json(self.payments[number])

    # ------------------------------------------------------------------ payments
    def _put(self, request: httpx.Request) -> httpx.Response:
        denied = self._denied(request)
        if denied is not None:
            return denied
        body = json.loads(request.content, parse_float=Decimal)
        if body["CashAccount"]["value"] != "10200":
            body["CashAccount"]["error"] = "'Cash Account' cannot be found in the system."
            return _json(body, 422)
        number = f"{len(self.payments) + 123:06d}"
        payment = {
            **body,
            "id": str(uuid.uuid4()),
            "rowNumber": 1,
            "ReferenceNbr": w(number),
            "Status": w("Balanced"),
            "custom": {},
        }
        self.payments[number] = payment
        return _json(payment)

    def _release(self, request: httpx.Request) -> httpx.Response:
        denied = self._denied(request)
        if denied is not None:
            return denied
        entity = json.loads(request.content)["entity"]
        number = entity["ReferenceNbr"]["value"]
        self._finish_jobs()
        status = self.payments[number]["Status"]["value"]
        if number in self._running.values():
            return http_error(500, "The previous operation has not been completed yet.")
        if status != "Balanced":  # released already (or voided): Acumatica refuses
            return http_error(500, f"The document is {status}: it cannot be released.")
        job = str(uuid.uuid4())
        self.jobs[job] = [202, 204]
        if self.failing_releases:
            self._failed[job] = self.failing_releases.pop(0)
        elif self.release_seconds is not None:
            self._deadlines[job] = time.monotonic() + self.release_seconds
            self._running[job] = number
        else:
            self._released(number)
        return httpx.Response(
            202,
            headers={
                "Location": f"/AcumaticaERP/entity/Default/24.200.001/Payment/ReleasePayment/status/{job}"
            },
        )

    def _released(self, number: str) -> None:
        self._apply(number, sign=-1)
        self.payments[number]["Status"] = w("Closed")

    def _finish_jobs(self) -> None:
        """Release jobs whose time is up have released their payment."""
        now = time.monotonic()
        for job, number in list(self._running.items()):
            if now >= self._deadlines[job]:
                del self._running[job]
                self._released(number)

    def _poll(self, request: httpx.Request) -> httpx.Response:
        denied = self._denied(request)
        if denied is not None:
            return denied
        job = request.url.path.rsplit("/", 1)[1]
        self._finish_jobs()
        if job in self._failed:
            return http_error(400, self._failed[job])
        if job in self._deadlines:
            return httpx.Response(202 if job in self._running else 204)
        steps = self.jobs[job]
        return httpx.Response(steps.pop(0) if len(steps) > 1 else steps[0])

    def _void(self, request: httpx.Request) -> httpx.Response:
        denied = self._denied(request)
        if denied is not None:
            return denied
        number = json.loads(request.content)["entity"]["ReferenceNbr"]["value"]
        self._apply(number, sign=1)
        self.payments[number]["Status"] = w("Voided")
        return httpx.Response(204)

    def _apply(self, number: str, *, sign: int) -> None:
        for row in self.payments[number].get("DocumentsToApply", []):
            ref = row["ReferenceNbr"]["value"]
            closing = sum(
                (
                    Decimal(str(row.get(k, {}).get("value", 0)))
                    for k in ("AmountPaid", "CashDiscountTaken", "BalanceWriteOff")
                ),
                Decimal(0),
            )
            left = self.invoices[ref].open_amount + sign * closing
            self.touch(ref, open_amount=left, status="Open" if left > 0 else "Closed")


class _Guarded:
    """The fault hooks, with every handler run under the tenant's lock (callers on threads)."""

    def __init__(self, faults: Faults, lock: threading.Lock) -> None:
        self._faults, self._lock = faults, lock

    def wrap(
        self, operation: str, handler: Callable[[httpx.Request], httpx.Response]
    ) -> Callable[[httpx.Request], httpx.Response]:
        """`Faults.wrap` around the handler, which runs under the lock."""

        def locked(request: httpx.Request) -> httpx.Response:
            with self._lock:
                return handler(request)

        return self._faults.wrap(operation, locked)


def _contact(c: Customer, expanded: bool) -> dict[str, Any]:
    """`Email`, and the linked `MainContact` (its `Email`, `Phone1`) when expanded."""
    if not expanded:
        return {"Email": w(c.email)}
    contact = {"id": str(uuid.uuid4()), "Email": w(c.email), "Phone1": w(c.phone)}
    return {"Email": w(None), "MainContact": contact}
