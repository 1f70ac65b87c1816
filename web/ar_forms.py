"""The forms of a customer's receivables page: notes, promises, plans, disputes, profile.

Collectors, clerks and admins may use them; viewers may not (checked here, not only hidden).
No `from __future__ import annotations` here: FastAPI reads the route annotations at runtime.
"""

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, FastAPI, Form, HTTPException
from fastapi.responses import RedirectResponse, Response

from arbridge.domain.money import format_money
from arbridge.store import ar_collections
from arbridge.store import erp as erp_store
from arbridge.store.tables import InvoiceRow
from arbridge.web.auth import Role, User

if TYPE_CHECKING:
    from arbridge.web.site import Site as _Web

_INSTALMENT = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})[\s:]+([0-9][0-9,]*(?:\.[0-9]{1,2})?)\s*$")


def instalments(text: str) -> list[tuple[date, Decimal]]:
    """Instalments typed one a line (or comma-separated), each `YYYY-MM-DD AMOUNT`."""
    out = []
    for part in re.split(r"[\n;]+", text.strip()):
        if not part.strip():
            continue
        found = _INSTALMENT.match(part)
        try:
            if found is None:
                raise ValueError(part)
            day, amount = date.fromisoformat(found[1]), Decimal(found[2].replace(",", ""))
        except (ValueError, InvalidOperation):
            raise HTTPException(400, f"{part.strip()[:40]!r}: expected YYYY-MM-DD AMOUNT") from None
        if amount <= 0:
            raise HTTPException(400, "instalment amounts must be above zero")
        out.append((day, amount))
    if not out:
        raise HTTPException(400, "give at least one instalment: YYYY-MM-DD AMOUNT, one a line")
    return sorted(out)


def customer_forms(app: FastAPI, web: "_Web", erp: str) -> None:
    """Add the POST routes of the customer page."""
    _effort_forms(app, web, erp)
    _account_forms(app, web, erp)


def _back(customer_id: str) -> Response:
    return RedirectResponse(f"/ar/customers/{customer_id}", status_code=303)


def _effort_forms(app: FastAPI, web: "_Web", erp: str) -> None:
    Current = Annotated[tuple[User, str], Depends(web.current)]
    Text = Annotated[str, Form()]

    @app.post("/ar/customers/{customer_id}/note")
    def add_note(
        who: Current, customer_id: str, csrf: Text, text: Text, kind: Text = "note"
    ) -> Response:
        user = web.guard(who, csrf, Role.COLLECTOR)
        with web.store.transaction() as session:
            try:
                ar_collections.add_note(
                    session,
                    erp,
                    customer_id,
                    kind=kind,
                    text=text,
                    actor=user.name,
                    now=datetime.now(UTC),
                )
            except ValueError as exc:
                raise HTTPException(400, str(exc)) from None
        return _back(customer_id)

    @app.post("/ar/customers/{customer_id}/promise")
    def add_promise(who: Current, customer_id: str, csrf: Text, amount: Text, by: Text) -> Response:
        user = web.guard(who, csrf, Role.COLLECTOR)
        try:
            value, due = Decimal(amount), date.fromisoformat(by)
        except (InvalidOperation, ValueError):
            raise HTTPException(400, "give an amount and a date (YYYY-MM-DD)") from None
        if value <= 0:
            raise HTTPException(400, "the amount must be above zero")
        now = datetime.now(UTC)
        with web.store.transaction() as session:
            ar_collections.add_promises(
                session, erp, customer_id, [(due, value)], plan=None, actor=user.name, now=now
            )
            ar_collections.add_note(
                session,
                erp,
                customer_id,
                kind="promise",
                text=f"promise to pay: {format_money(value)} by {due}",
                actor=user.name,
                now=now,
            )
        return _back(customer_id)

    @app.post("/ar/customers/{customer_id}/dispute")
    def add_dispute(
        who: Current, customer_id: str, csrf: Text, invoice_id: Text, reason: Text
    ) -> Response:
        user = web.guard(who, csrf, Role.COLLECTOR)
        now = datetime.now(UTC)
        with web.store.transaction() as session:
            invoice = session.get(InvoiceRow, (erp, invoice_id))
            if invoice is None or invoice.customer_id != customer_id:
                raise HTTPException(400, f"{invoice_id} is not an invoice of {customer_id}")
            ar_collections.open_dispute(
                session, erp, invoice_id, customer_id, reason=reason, actor=user.name, now=now
            )
            ar_collections.add_note(
                session,
                erp,
                customer_id,
                kind="dispute",
                text=f"{invoice_id} disputed: {reason}",
                actor=user.name,
                now=now,
            )
        return _back(customer_id)


def _account_forms(app: FastAPI, web: "_Web", erp: str) -> None:
    Current = Annotated[tuple[User, str], Depends(web.current)]
    Text = Annotated[str, Form()]

    @app.post("/ar/customers/{customer_id}/plan")
    def add_plan(
        who: Current, customer_id: str, csrf: Text, lines: Text, name: Text = ""
    ) -> Response:
        user = web.guard(who, csrf, Role.COLLECTOR)
        parts = instalments(lines)
        now = datetime.now(UTC)
        label = name.strip()[:60] or f"plan-{customer_id}-{now.date()}"
        with web.store.transaction() as session:
            _known(session, erp, customer_id)
            ar_collections.add_promises(
                session, erp, customer_id, parts, plan=label, actor=user.name, now=now
            )
            listed = ", ".join(f"{format_money(a)} by {d}" for d, a in parts)
            ar_collections.add_note(
                session,
                erp,
                customer_id,
                kind="plan",
                text=f"payment plan {label}: {listed}",
                actor=user.name,
                now=now,
            )
        return _back(customer_id)

    @app.post("/ar/customers/{customer_id}/profile")
    def set_profile(
        who: Current, customer_id: str, csrf: Text, collector: Text = "", next_action: Text = ""
    ) -> Response:
        user = web.guard(who, csrf, Role.COLLECTOR)
        changes: dict[str, Any] = {"collector": collector.strip() or None}
        try:
            changes["next_action_on"] = date.fromisoformat(next_action) if next_action else None
        except ValueError:
            raise HTTPException(400, "the next action date is YYYY-MM-DD") from None
        with web.store.transaction() as session:
            _known(session, erp, customer_id)
            try:
                ar_collections.set_profile(
                    session, erp, customer_id, changes, actor=user.name, now=datetime.now(UTC)
                )
            except ValueError as exc:
                raise HTTPException(400, str(exc)) from None
        return _back(customer_id)


def _known(session: Any, erp: str, customer_id: str) -> None:
    if customer_id not in erp_store.customer_names(session, erp):
        raise HTTPException(404, f"no customer {customer_id[:60]}")
