"""The clearing accounts page: each processor's payouts reported, deposited and in transit."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from arbridge.store import settlements
from arbridge.web.site import Site, Who

ZERO = Decimal("0.00")


def _day(text: str) -> date:
    if not text:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise HTTPException(422, f"Not a date (YYYY-MM-DD): {text[:20]!r}.") from None


def clearing_routes(app: FastAPI, site: Site) -> None:
    """Add /clearing."""
    current = Annotated[Who, Depends(site.current)]

    @app.get("/clearing", response_class=HTMLResponse)
    def clearing_page(
        request: Request, who: current, processor: str = "", as_of: str = ""
    ) -> Response:
        day = _day(as_of)
        with site.store.transaction() as session:
            known = settlements.processors(session)
            chosen = processor if processor in known else (known[0] if known else "")
            entries = settlements.clearing(session, chosen, day) if chosen else []
        events = settlements.clearing_ledger(entries, day)
        return site.page(
            request,
            "clearing.html",
            who,
            processors=known,
            processor=chosen,
            as_of=day,
            events=events,
            balance=events[-1].in_transit if events else ZERO,
            in_transit=settlements.in_transit_on(entries, day),
            deposited=sum(
                1 for e in entries if e.deposited_on is not None and e.deposited_on <= day
            ),
        )
