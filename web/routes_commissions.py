"""The commissions page: per-rep totals and every line of a period, for admins and sales managers.

Read only. The report itself is computed by the composition root's commission ledger (the
plan comes from the YAML), handed in as `CommissionReport`.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from arbridge.commissions.periods import last_day
from arbridge.commissions.report import grand_total, totals
from arbridge.domain.commissions import CommissionLine
from arbridge.domain.errors import ArbridgeError
from arbridge.web.auth import COMMISSION_READERS
from arbridge.web.site import Site, Who

CommissionReport = Callable[[date, date], Sequence[CommissionLine]]
"""The commission lines that count from one day to another (both included)."""
MAX_DAYS = 400


def _day(text: str, default: date) -> date:
    if not text:
        return default
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise HTTPException(422, f"Not a date (YYYY-MM-DD): {text[:20]!r}.") from None


def commission_routes(app: FastAPI, site: Site, report: CommissionReport | None) -> None:
    """Add /commissions."""
    current = Annotated[Who, Depends(site.current)]

    @app.get("/commissions", response_class=HTMLResponse)
    def commissions_page(
        request: Request, who: current, start: str = "", end: str = ""
    ) -> Response:
        if who[0].role not in COMMISSION_READERS:
            raise HTTPException(403, f"{who[0].name} may not see commissions (admins only).")
        today = datetime.now(UTC).date()
        first = _day(start, today.replace(day=1))
        last = _day(end, last_day(first))
        if last < first or (last - first).days > MAX_DAYS:
            raise HTTPException(422, f"Choose an end after the start, at most {MAX_DAYS} days on.")
        problem = ""
        lines: Sequence[CommissionLine] = []
        if report is None:
            problem = "No commission report is set up for this web page."
        else:
            try:
                lines = report(first, last)
            except ArbridgeError as exc:
                problem = str(exc)
        return site.page(
            request,
            "commissions.html",
            who,
            start=first,
            end=last,
            lines=lines,
            totals=totals(lines),
            total=grand_total(lines),
            problem=problem,
        )
