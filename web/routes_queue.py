"""Pages that show: the queue (with totals and export), an item, the runs."""

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from arbridge.domain.review import ReviewReason, ReviewStatus
from arbridge.review import ReviewStateError
from arbridge.review.undo import Undo
from arbridge.store import cockpit
from arbridge.store.cockpit import AGE_BUCKETS, NO_DATE
from arbridge.store.runs import recent_runs
from arbridge.store.status import status_report
from arbridge.web import export as export_rows
from arbridge.web.customer_payments import customer_payments
from arbridge.web.filters import queue_filter
from arbridge.web.params import ItemId, PageNo, Position
from arbridge.web.site import Site, Who

PAGE_SIZE = 50
_CLOSED = (ReviewStatus.RESOLVED.value, ReviewStatus.DISMISSED.value)
_CSV = "text/csv; charset=utf-8"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def queue_routes(app: FastAPI, site: Site) -> None:
    """Add /, /export.csv, /items/{id} and /runs."""
    current = Annotated[Who, Depends(site.current)]
    undoer = Undo(site.store, site.erp)

    @app.get("/", response_class=HTMLResponse)
    def queue_page(
        request: Request,
        who: current,
        page_no: PageNo = 1,
        after: Position = None,
        before: Position = None,
    ) -> Response:
        now = datetime.now(UTC)
        wanted, shown, problems = queue_filter(request.query_params, now)
        items, earlier, later = _page(site, wanted, page_no, after, before)
        with site.store.transaction() as session:
            totals = cockpit.totals(session, wanted, now.date())
            names = cockpit.customer_names(session, site.erp, [i.customer_id for i in items])
            lines = cockpit.bank_lines(session, [i.item_id for i in items])
        total = (
            totals.count if wanted.reason is None else totals.by_reason.get(wanted.reason, (0,))[0]
        )
        return site.page(
            request,
            "queue.html",
            who,
            items=items,
            names=names,
            lines=lines,
            today=now.date(),
            totals=totals,
            buckets=[*AGE_BUCKETS, NO_DATE],
            reasons=list(ReviewReason),
            statuses=list(ReviewStatus),
            total=total,
            shown=shown,
            problems=problems,
            earlier=earlier,
            later=later,
            query=urlencode(shown),
        )

    @app.get("/export.csv")
    def export(request: Request, who: current) -> Response:
        wanted = _export_filter(request)
        return _download(export_rows.csv_text(site.store, site.erp, wanted), "csv", _CSV)

    @app.get("/export.xlsx")
    def export_xlsx(request: Request, who: current) -> Response:
        wanted = _export_filter(request)
        return _download(export_rows.xlsx_file(site.store, site.erp, wanted), "xlsx", _XLSX)

    @app.get("/items/{item_id}", response_class=HTMLResponse)
    def item_page(request: Request, item_id: ItemId, who: current) -> Response:
        try:
            item, trail = site.queue.show(item_id)
        except ReviewStateError:
            raise HTTPException(404, f"There is no review item {item_id}.") from None
        carried = request.query_params.get("back")
        filters = dict(parse_qsl(carried[:2000])) if carried else request.query_params
        _, shown, _ = queue_filter(filters, datetime.now(UTC))
        find = request.query_params.get("find", "").strip()[:60]
        return site.page(
            request,
            "item.html",
            who,
            item=item,
            trail=trail,
            line=site.queue.evidence(item_id),
            write_off=site.resolver.write_off_policy,
            posted=site.resolver.correctable(item_id),
            recorded=site.resolver.recorded_fix(item_id),
            undo_refused=undoer.refusal(item_id) if item.status in _CLOSED else "",
            back=urlencode(shown),
            find=find,
            **_candidates(site, item, find),
        )

    @app.get("/customers/{customer_id}", response_class=HTMLResponse)
    def customer_page(request: Request, customer_id: str, who: current) -> Response:
        with site.store.transaction() as session:
            found = cockpit.customer_file(session, site.erp, customer_id[:100])
            left = cockpit.left_to_apply(session, site.erp, found.open_invoices if found else [])
            payments = customer_payments(session, site.erp, customer_id[:100])
        if found is None:
            raise HTTPException(404, f"There is no customer {customer_id[:60]!r}.")
        still_open = [i for i in found.open_invoices if left[i.invoice_id] > 0]
        items = site.queue.open_items(customer_id=found.customer.customer_id, limit=100)
        today = datetime.now(UTC).date()
        return site.page(
            request,
            "customer.html",
            who,
            file=found,
            payments=payments,
            items=items,
            today=today,
            still_open=still_open,
            left=left,
            open_total=sum((left[i.invoice_id] for i in still_open), Decimal("0.00")),
        )

    @app.get("/runs", response_class=HTMLResponse)
    def runs_page(request: Request, who: current) -> Response:
        with site.store.transaction() as session:
            runs, report = recent_runs(session, limit=30), status_report(session)
        return site.page(request, "runs.html", who, runs=runs, report=report)


def _export_filter(request: Request) -> Any:
    wanted, _, problems = queue_filter(request.query_params, datetime.now(UTC))
    if problems:
        raise HTTPException(422, "; ".join(problems))
    return wanted


def _download(body: Iterator[Any], kind: str, media_type: str) -> Response:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return StreamingResponse(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="review-{stamp}.{kind}"'},
    )


def _page(
    site: Site, wanted: Any, page_no: int, after: int | None, before: int | None
) -> tuple[list[Any], bool, bool]:
    """One page of the queue (keyset: after or before an item), and whether there are others.

    A `page_no` alone counts from the start (the old links); the page's own links use
    `after`/`before`, which cost the same on the last page as on the first.
    """
    narrow = _narrowing(wanted)
    if before is not None:
        narrow["before_id"] = before
        found = site.queue.open_items(limit=PAGE_SIZE + 1, newest_first=True, **narrow)
        return found[:PAGE_SIZE][::-1], len(found) > PAGE_SIZE, True
    if after is not None:
        narrow["after_id"] = after
    offset = 0 if after is not None else (page_no - 1) * PAGE_SIZE
    found = site.queue.open_items(limit=PAGE_SIZE + 1, offset=offset, **narrow)
    return found[:PAGE_SIZE], after is not None or page_no > 1, len(found) > PAGE_SIZE


def _narrowing(wanted: Any) -> dict[str, Any]:
    fields = {k: getattr(wanted, k) for k in wanted.__dataclass_fields__}
    del fields["item_id"], fields["statuses"]
    return {"statuses": wanted.statuses, **fields}


def _candidates(site: Site, item: Any, find: str) -> dict[str, Any]:
    """The suggested invoices with their figures, what a search found, and customer names."""
    today = datetime.now(UTC).date()
    with site.store.transaction() as session:
        found = cockpit.search_invoices(session, site.erp, find) if find else []
        known = cockpit.invoices(session, site.erp, item.suggested_invoice_ids)
        customers = {item.customer_id} | {s.get("customer_id") for s in item.suggestions}
        customers |= {i.customer_id for i in [*known.values(), *found]}
        names = cockpit.customer_names(session, site.erp, customers)
        left = cockpit.left_to_apply(session, site.erp, [*known.values(), *found])
    scores: dict[str, Any] = {}
    for suggestion in item.suggestions:
        for invoice_id in suggestion.get("invoice_ids", []):
            scores.setdefault(invoice_id, suggestion)
    return {
        "scores": scores,
        "invoices": known,
        "found": [i for i in found if i.invoice_id not in known and left[i.invoice_id] > 0],
        "left": left,
        "names": names,
        "today": today,
    }
