"""An admin's edits of what arbridge learned about a customer's payers (customer page).

Bank accounts and payer names are linked to the customer, unlinked, or (when `arbridge
learn` proposed them) approved; each change is logged with the admin's name and the link
remembers who taught it. A listed link is named in the form by a digest (`ref`), so that
a whole bank account number never appears in the page.
"""

from datetime import UTC, datetime
from hashlib import sha256
from typing import Annotated
from urllib.parse import quote

import structlog
from fastapi import Depends, FastAPI, Form, HTTPException
from fastapi.responses import Response
from sqlmodel import Session, select

from arbridge.store import payer_links
from arbridge.store.tables import CustomerRow, PayerLinkRow
from arbridge.web.auth import Role
from arbridge.web.site import TEMPLATES, Site, Who

_log = structlog.get_logger("arbridge.web")
Text = Annotated[str, Form(max_length=300)]
KINDS = {payer_links.ACCOUNT: "bank account", payer_links.ALIAS: "payer name"}


def customer_routes(app: FastAPI, site: Site) -> None:
    """Add POST /customers/{id}/links."""
    current = Annotated[Who, Depends(site.current)]

    @app.post("/customers/{customer_id}/links")
    def change_link(
        customer_id: str,
        who: current,
        *,
        csrf: Text = "",
        action: Text = "",
        kind: Text = "",
        key: Text = "",
        ref: Text = "",
    ) -> Response:
        admin = site.guard(who, csrf, Role.ADMIN)
        here = f"/customers/{quote(customer_id[:100], safe='')}#links"
        key = " ".join(key.split())
        if action not in ("add", "remove", "approve") or kind not in KINDS:
            raise HTTPException(422, "Choose add, remove or approve, and a bank account or name.")
        now = datetime.now(UTC)
        with site.store.transaction() as session:
            if session.get(CustomerRow, (site.erp, customer_id[:100])) is None:
                raise HTTPException(404, f"There is no customer {customer_id[:60]!r}.")
            if action != "add":
                key = _by_ref(session, site.erp, customer_id, kind, ref)
            if not key:
                missing = "Give the {} to link." if action == "add" else "That {} is not linked."
                return site.redirect(here, "error", missing.format(KINDS[kind]))
            ok, done = _change(session, site.erp, (customer_id, action, kind, key), now, admin.name)
        _log.info(
            "payer_link_changed", customer=customer_id, kind=kind, action=action, actor=admin.name
        )
        return site.redirect(here, "notice" if ok else "error", done)


def link_ref(kind: str, key: str) -> str:
    """The digest that names a link in the page's forms."""
    return sha256(f"{kind}\n{key}".encode()).hexdigest()[:32]


def _by_ref(session: Session, erp: str, customer: str, kind: str, ref: str) -> str:
    """The key of the customer's link with this digest ("" when none has it)."""
    query = select(PayerLinkRow.key).where(
        PayerLinkRow.erp == erp, PayerLinkRow.customer_id == customer, PayerLinkRow.kind == kind
    )
    return next((k for k in session.exec(query) if link_ref(kind, k) == ref), "")


TEMPLATES.env.globals["link_ref"] = link_ref


def _change(
    session: Session, erp: str, change: tuple[str, str, str, str], now: datetime, actor: str
) -> tuple[bool, str]:
    """Carry out one change: (customer, action, kind, key); whether it was done, in words."""
    customer, action, kind, key = change
    what = KINDS[kind]
    found = payer_links.find(session, erp, kind=kind, key=key)
    if action == "add":
        if found is not None and found.customer_id != customer:
            return False, f"The {what} {key!r} is linked to {found.customer_id}: unlink it there."
        payer_links.learn(
            session,
            erp,
            kind=kind,
            key=key,
            customer_id=customer,
            origin="admin",
            now=now,
            taught_by=actor,
        )
        return True, f"Linked the {what} {key!r} to this customer."
    if found is None or found.customer_id != customer:
        return False, f"The {what} {key!r} is not linked to this customer."
    if action == "approve":
        payer_links.approve(session, erp, kind=kind, key=key, now=now, taught_by=actor)
        return True, f"Approved the {what} {key!r}."
    payer_links.forget(session, erp, kind=kind, key=key)
    return True, f"Unlinked the {what} {key!r}."
