"""The receivables pages: aging and KPI trend, the collections worklist, a customer's page.

No `from __future__ import annotations` here: FastAPI reads the route annotations at runtime.
"""

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from arbridge.domain.money import format_money
from arbridge.receivables import Basis, Buckets
from arbridge.receivables.aging import aging_report, days_old
from arbridge.receivables.contacts import Contact
from arbridge.receivables.kpis import kpis_of
from arbridge.receivables.worklist import worklist_of
from arbridge.store import ar as store_ar
from arbridge.store import (
    ar_collections,
    ar_health,
    ar_period,
    ar_sums,
    ar_worklist,
)
from arbridge.store import erp as erp_store
from arbridge.web.ar_contact_view import contact_view
from arbridge.web.ar_forms import customer_forms
from arbridge.web.auth import Role, User, permits

if TYPE_CHECKING:
    from arbridge.web.site import Site as _Web

TREND_DAYS = 60
TOP_CUSTOMERS = 200
BUCKETS = Buckets()


def _day(text: str | None) -> date:
    if not text:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HTTPException(400, f"not a date (YYYY-MM-DD): {text!r}") from None


def _chart(days: list[Any]) -> dict[str, Any]:
    """Stacked bars of the aging buckets per stored day, scaled to the largest day."""
    if not days:
        return {"bars": [], "labels": []}
    labels = list(days[-1].buckets)
    top = max(sum(Decimal(v) for v in d.buckets.values()) for d in days) or Decimal(1)
    bars = []
    for i, d in enumerate(days):
        y, parts = 200.0, []
        for n, label in enumerate(labels):
            h = float(Decimal(d.buckets.get(label, "0")) / top * 200)
            y -= h
            parts.append({"y": y, "h": h, "n": n})
        bars.append(
            {
                "x": 40 + i * 12,
                "day": d.day.isoformat(),
                "parts": parts,
                "share": d.figures.get("past_due_share", 0),
            }
        )
    return {"bars": bars, "labels": labels}


def ar_routes(
    app: FastAPI, web: "_Web", erp: str, contacts: Mapping[str, Contact] | None = None
) -> None:
    """Add the /ar pages; `contacts` are the config's (`ar.contacts`, `ar.contacts_file`)."""
    configured = contacts or {}
    Current = Annotated[tuple[User, str], Depends(web.current)]

    @app.get("/ar", response_class=HTMLResponse)
    def ar_page(request: Request, who: Current, as_of: str | None = None) -> Response:
        day = _day(as_of)
        with web.store.transaction() as session:
            sums = ar_sums.aging_sums(session, erp, day, buckets=BUCKETS, basis=Basis.DUE_DATE)
            totals = ar_sums.kpi_totals(session, erp, day)
            facts = ar_period.period_facts(session, erp, day, 90) if sums else None
            guards = ar_health.guardrails(session, erp)
            trend = ar_health.days(session, erp, since=day - timedelta(days=TREND_DAYS))
            names = erp_store.customer_names(session, erp)
        if sums is None or totals is None:
            return web.page(request, "ar.html", who, book=None, day=day)
        aging = aging_report(sums, day, names=names, buckets=BUCKETS, basis=Basis.DUE_DATE)
        rows = sorted(aging.rows, key=lambda r: r.total, reverse=True)
        return web.page(
            request,
            "ar.html",
            who,
            book=True,
            day=day,
            aging=aging,
            rows=rows[:TOP_CUSTOMERS],
            hidden=max(len(rows) - TOP_CUSTOMERS, 0),
            kpis=kpis_of(totals, day, facts),
            guards=guards,
            chart=_chart(trend),
            money=format_money,
        )

    @app.get("/ar/worklist", response_class=HTMLResponse)
    def worklist_page(
        request: Request,
        who: Current,
        collector: str = "",
        held: str = "show",
        as_of: str | None = None,
    ) -> Response:
        day = _day(as_of)
        with web.store.transaction() as session:
            ar_worklist.settle_promises(session, erp, day, datetime.now(UTC))
            names = erp_store.customer_names(session, erp)
            facts = ar_worklist.customer_facts(session, erp, names)
            disputed = {cid: f.disputed for cid, f in facts.items() if f.disputed}
            owed = ar_sums.owed(session, erp, day, disputed) or {}
        rows = worklist_of(owed, facts)
        rows = [r for r in rows if (not collector or r.collector == collector)]
        rows = [r for r in rows if held == "show" or (held == "hide") != r.held]
        collectors = sorted({f.collector for f in facts.values() if f.collector})
        return web.page(
            request,
            "ar_worklist.html",
            who,
            rows=rows,
            day=day,
            collector=collector,
            held=held,
            collectors=collectors,
            money=format_money,
        )

    @app.get("/ar/customers/{customer_id}", response_class=HTMLResponse)
    def customer_page(request: Request, who: Current, customer_id: str) -> Response:
        day = datetime.now(UTC).date()
        with web.store.transaction() as session:
            name = erp_store.customer_names(session, erp).get(customer_id)
            if name is None:
                raise HTTPException(404, f"no customer {customer_id}")
            book = store_ar.open_book(session, erp, customers={customer_id})
            page = {
                "profile": ar_collections.profiles(session, erp).get(customer_id),
                "promises": ar_collections.promises(session, erp, customer_id),
                "disputes": ar_collections.disputes(session, erp, customer_id),
                "notes": ar_collections.notes(session, erp, customer_id),
                "emails": ar_collections.emails(session, erp, customer_id),
                "collectors": ar_collections.collectors(session),
                "contact": contact_view(session, erp, customer_id, configured),
            }
        items = sorted(
            (
                i
                for i in (book.items if book else [])
                if i.customer_id == customer_id and i.open_amount
            ),
            key=lambda i: i.due_date,
        )
        return web.page(
            request,
            "ar_customer.html",
            who,
            customer_id=customer_id,
            customer_name=name,
            items=[(i, days_old(i, day)) for i in items],
            can_collect=permits(who[0].role, Role.COLLECTOR),
            money=format_money,
            **page,
        )

    customer_forms(app, web, erp)
