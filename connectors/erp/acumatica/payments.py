"""Acumatica: the AR Payments recorded in the tenant, as a posted-payments reader.

`GET Payment?$expand=ApplicationHistory,DocumentsToApply` (screen AR302000): `CustomerID`,
`ApplicationDate`, `PaymentAmount`, `PaymentRef` (check or remittance number),
`Description`, `Status`; released applications in `ApplicationHistory[]`
(`DisplayRefNbr`/`AdjustedRefNbr`, `AmountPaid`), unreleased ones in
`DocumentsToApply[]` (`ReferenceNbr`, `AmountPaid`). What no application takes is on
account. Only `Payment` and `Prepayment` documents are cash; voided ones and arbridge's own
(its `PaymentRef`) are left out. Incremental on `LastModifiedDateTime`, like invoices.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import httpx

from arbridge.connectors.base import PaymentBatch
from arbridge.connectors.erp._http import (
    HttpClient,
    LimiterFactory,
    RateLimiter,
    RequestLimiter,
    RetryPolicy,
    Window,
    jsonbody,
)
from arbridge.connectors.erp._own import is_own_reference
from arbridge.connectors.erp.acumatica import wire
from arbridge.connectors.erp.acumatica.session import CookieSession
from arbridge.domain.posted import PostedAllocation, PostedPayment
from arbridge.domain.records import ZERO

PAGE = 500
CASH_TYPES = frozenset({"Payment", "Prepayment"})
SKIPPED_STATUSES = frozenset({"Voided", "On Hold"})


class AcumaticaPaymentReader:
    """AR payments of one Acumatica tenant, read with `$top`/`$skip` paging inside one login."""

    def __init__(
        self,
        *,
        name: str,
        api: HttpClient,
        session: Callable[[], AbstractContextManager[None]],
        page_size: int = PAGE,
    ) -> None:
        self._name, self._api, self._session, self._page = name, api, session, page_size

    @property
    def name(self) -> str:
        """The ERP connector's configured name."""
        return self._name

    def fetch_payments_since(self, cursor: str | None) -> PaymentBatch:
        """Payments modified after the cursor (Acumatica's own time text), or all of them."""
        params = {"$expand": "ApplicationHistory,DocumentsToApply"}
        if cursor:
            params["$filter"] = f"LastModifiedDateTime gt datetimeoffset'{cursor}'"
        with self._session():
            rows = list(self._list(params))
        stamps = [str(s) for r in rows if (s := wire.value(r, "LastModifiedDateTime"))]
        payments = [payment(r) for r in rows if _is_theirs(r)]
        return PaymentBatch(
            payments=payments,
            cursor=max([*stamps, cursor or ""]) or None,
            complete=cursor is None,
        )

    def _list(self, params: dict[str, str]) -> Iterator[dict[str, Any]]:
        skip = 0
        while True:
            paging = {"$top": str(self._page), "$skip": str(skip)}
            response = self._api.request(
                "GET",
                "Payment",
                params={**params, **paging},
                headers={"Accept": "application/json"},
            )
            page: list[dict[str, Any]] = jsonbody.loads(response.content)
            yield from page
            if len(page) < self._page:
                return
            skip += self._page


def _is_theirs(row: dict[str, Any]) -> bool:
    """A cash payment recorded by someone else than arbridge, not voided."""
    return (
        wire.value(row, "Type") in CASH_TYPES
        and wire.value(row, "Status") not in SKIPPED_STATUSES
        and not is_own_reference(str(wire.value(row, "PaymentRef") or ""))
    )


def _applications(row: dict[str, Any]) -> list[PostedAllocation]:
    released = row.get("ApplicationHistory") or []
    if released:
        return [
            PostedAllocation(
                invoice_id=str(wire.value(a, "DisplayRefNbr") or wire.value(a, "AdjustedRefNbr")),
                amount=wire.money(wire.value(a, "AmountPaid")),
            )
            for a in released
            if wire.value(a, "DisplayRefNbr") or wire.value(a, "AdjustedRefNbr")
        ]
    return [
        PostedAllocation(
            invoice_id=str(wire.value(d, "ReferenceNbr")),
            amount=wire.money(wire.value(d, "AmountPaid")),
        )
        for d in row.get("DocumentsToApply") or []
        if wire.value(d, "ReferenceNbr")
    ]


def payment(row: dict[str, Any]) -> PostedPayment:
    """A Payment record: its applications, and what they leave of `PaymentAmount` on account."""
    allocations = _applications(row)
    rest = wire.money(wire.value(row, "PaymentAmount")) - sum((a.amount for a in allocations), ZERO)
    if rest > ZERO or not allocations:
        allocations.append(PostedAllocation(invoice_id=None, amount=max(rest, ZERO)))
    return PostedPayment(
        payment_id=f"{wire.value(row, 'Type')}:{wire.value(row, 'ReferenceNbr')}",
        customer_id=str(wire.value(row, "CustomerID") or ""),
        paid_on=wire.day(wire.value(row, "ApplicationDate")),
        allocations=tuple(allocations),
        reference=str(wire.value(row, "PaymentRef") or ""),
        memo=str(wire.value(row, "Description") or ""),
    )


def build_reader(
    *,
    name: str,
    site: str,
    endpoint_version: str,
    username: str,
    password: str,
    company: str,
    branch: str | None = None,
    requests_per_minute: int = 100,
    timeout: float = 60.0,
    retry: RetryPolicy | None = None,
    limiter: RequestLimiter | None = None,
    limiter_factory: LimiterFactory = RateLimiter,
    transport: httpx.BaseTransport | None = None,
) -> AcumaticaPaymentReader:
    """A reader with its own HTTP client and cookie session (one login per read)."""
    site = site.rstrip("/")
    http = httpx.Client(
        base_url=f"{site}/entity/Default/{endpoint_version}/",
        timeout=httpx.Timeout(timeout, connect=10.0),
        transport=transport,
    )
    session = CookieSession(
        site=site, username=username, password=password, company=company, branch=branch
    )
    api = HttpClient(
        connector=name,
        client=http,
        map_error=wire.map_error,
        auth=session,
        limiter=limiter or limiter_factory([Window(requests_per_minute, 60.0)]),
        retry=retry,
        secrets=(password,),
    )
    session.bind(api)
    return AcumaticaPaymentReader(name=name, api=api, session=session.open)
