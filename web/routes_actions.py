"""Forms that change an item: apply, on account, write off, refund, assign, dismiss, ...

A closing action answers with a confirmation and the next item of the clerk's filter;
a refused one with the item again and the reason, both as one-time server messages.
"""

from collections.abc import Callable
from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import Depends, FastAPI, Form, HTTPException
from fastapi.responses import Response

from arbridge.review import ReviewStateError
from arbridge.review.undo import Undo
from arbridge.store import cockpit
from arbridge.web import params
from arbridge.web.params import ItemId
from arbridge.web.site import Site, Who

Text = Annotated[str, Form(max_length=2000)]
Many = Annotated[list[str], Form()]
ACTIONS = {
    "write-off",
    "refund",
    "on-account",
    "not-ar",
    "assign",
    "dismiss",
    "comment",
    "reopen",
    "undo",
}
CLOSING = {"apply", "write-off", "refund", "on-account", "not-ar", "dismiss", "correct"}


def action_routes(app: FastAPI, site: Site) -> None:
    """Add the item forms and /bulk."""
    current = Annotated[Who, Depends(site.current)]

    @app.post("/items/{item_id}/apply")
    def apply(
        item_id: ItemId,
        who: current,
        *,
        invoice: Many = [],  # noqa: B006 - FastAPI copies form defaults
        amount: Many = [],  # noqa: B006 - FastAPI copies form defaults
        pick_invoice: Many = [],  # noqa: B006 - FastAPI copies form defaults
        pick_amount: Many = [],  # noqa: B006 - FastAPI copies form defaults
        csrf: Text = "",
        back: Text = "",
    ) -> Response:
        user = site.guard(who, csrf)

        def run() -> str:
            chosen = params.allocations(invoice, amount, picked=(pick_invoice, pick_amount))
            site.resolver.apply(item_id, chosen, actor=user.name)
            return "applied " + ", ".join(f"{i} {a}" for i, a in chosen)

        return _answer(site, item_id, "apply", back, run)

    @app.post("/items/{item_id}/correct")
    def correct(
        item_id: ItemId,
        who: current,
        *,
        invoice: Many = [],  # noqa: B006 - FastAPI copies form defaults
        amount: Many = [],  # noqa: B006 - FastAPI copies form defaults
        reason: Text = "",
        csrf: Text = "",
        back: Text = "",
    ) -> Response:
        user = site.guard(who, csrf)

        def run() -> str:
            chosen = params.allocations(invoice, amount)
            site.resolver.correct(item_id, chosen, actor=user.name, reason=reason)
            return "corrected to " + ", ".join(f"{i} {a}" for i, a in chosen)

        return _answer(site, item_id, "correct", back, run)

    @app.post("/items/{item_id}/correct-recorded")
    def correct_recorded(
        item_id: ItemId,
        who: current,
        *,
        invoice: Many = [],  # noqa: B006 - FastAPI copies form defaults
        amount: Many = [],  # noqa: B006 - FastAPI copies form defaults
        reverse: Many = [],  # noqa: B006 - FastAPI copies form defaults
        reason: Text = "",
        csrf: Text = "",
        back: Text = "",
    ) -> Response:
        """Reverse the ERP payment(s) a person recorded and re-apply (as suggested, or as typed)."""
        user = site.guard(who, csrf)

        def run() -> str:
            typed = any(t.strip() for t in (*invoice, *amount))
            chosen = params.allocations(invoice, amount) if typed else []
            keys = site.resolver.correct_recorded(
                item_id, chosen, actor=user.name, reason=reason, reverse=reverse
            )
            return f"correction queued ({len(keys)} steps, posted in order by the daemon)"

        return _answer(site, item_id, "correct", back, run)

    @app.post("/items/{item_id}/{action}")
    def change(
        item_id: ItemId,
        action: str,
        who: current,
        *,
        csrf: Text = "",
        comment: Text = "",
        assignee: Text = "",
        customer: Text = "",
        category: Text = "",
        invoice: Text = "",
        reason: Text = "",
        back: Text = "",
    ) -> Response:
        user = site.guard(who, csrf)
        actor = user.name
        if action not in ACTIONS:
            raise HTTPException(404, f"There is no action {action[:40]!r}.")
        form = {"comment": comment, "assignee": assignee.strip(), "customer": customer}
        form |= {"category": category, "invoice": invoice.strip(), "reason": reason}
        return _answer(
            site, item_id, action, back, lambda: _decide(site, item_id, action, actor, form)
        )

    @app.post("/bulk")
    def bulk(
        who: current,
        *,
        item: Many = [],  # noqa: B006 - FastAPI copies form defaults
        csrf: Text = "",
        action: Text = "assign",
        assignee: Text = "",
        comment: Text = "",
        back: Text = "",
    ) -> Response:
        user = site.guard(who, csrf)
        ids = params.item_ids(item[:1000])
        if action not in ("assign", "dismiss"):
            raise HTTPException(422, f"There is no bulk action {action[:40]!r}.")
        where = f"/?{urlencode(dict(_pairs(back)))}"
        try:
            target = site.assignable(assignee.strip() or user.name) if action == "assign" else ""
        except ReviewStateError as exc:
            return site.redirect(where, "error", str(exc))
        refused = site.queue.bulk(ids, action, actor=user.name, assignee=target, comment=comment)
        note = f"{action}: {len(ids) - len(refused)} of {len(ids)} done"
        note += "".join(f"; {r}" for r in refused[:5])
        return site.redirect(where, "error" if refused else "notice", note)


def _decide(site: Site, item_id: int, action: str, actor: str, form: dict[str, str]) -> str:
    """Carry out one of ACTIONS; what was done, in words."""
    if action in CLOSING:
        return _resolve(site, item_id, action, actor, form)
    queue = site.queue
    if action == "assign":
        queue.assign(item_id, site.assignable(form["assignee"] or actor), actor=actor)
        return f"assigned to {form['assignee'] or actor}"
    if action == "comment":
        queue.comment(item_id, form["comment"], actor=actor)
        return "comment added"
    if action == "undo":
        return "undone: " + Undo(site.store, site.erp).undo(item_id, actor=actor)
    queue.reopen(item_id, actor=actor, comment=form["comment"] or None)
    return "reopened"


def _resolve(site: Site, item_id: int, action: str, actor: str, form: dict[str, str]) -> str:
    """Carry out an action that closes the item."""
    resolver = site.resolver
    if action == "write-off":
        resolver.write_off(item_id, form["invoice"], form["reason"], actor=actor)
        return f"wrote off the rest of {form['invoice']}"
    if action == "refund":
        resolver.refund(
            item_id, _customer(site, form["customer"], blank_ok=True) or None, actor=actor
        )
        return "marked for refund"
    if action == "on-account":
        customer = _customer(site, form["customer"])
        resolver.on_account(item_id, customer, actor=actor)
        return f"put on account of {customer}"
    if action == "not-ar":
        resolver.not_receivable(item_id, form["category"], actor=actor)
        return "marked as not customer cash"
    site.queue.dismiss(item_id, actor=actor, comment=form["comment"])
    return "dismissed"


def _answer(site: Site, item_id: int, action: str, back: str, run: Callable[[], str]) -> Response:
    """Run an action; confirm and move on, or show the item again with what was wrong."""
    here = f"/items/{item_id}" + (f"?{urlencode(dict(_pairs(back)))}" if back else "")
    try:
        done = run()
    except ReviewStateError as exc:
        return site.redirect(here, "error", str(exc))
    if action in CLOSING:
        # a correction is not undone (it is corrected again): no Undo button after one
        return site.next_after(item_id, back, f"Item {item_id}: {done}.", undo=action != "correct")
    return site.redirect(here, "notice", f"Item {item_id}: {done}.")


def _pairs(back: str) -> list[tuple[str, str]]:
    return parse_qsl(back[:2000])


def _customer(site: Site, text: str, *, blank_ok: bool = False) -> str:
    """A customer id from an id or a name; a name that fits several customers is refused.

    Raises:
        ReviewStateError: no customer, or several, go by that name.
    """
    text = text.strip()
    if not text and blank_ok:
        return ""
    with site.store.transaction() as session:
        found = cockpit.find_customers(session, site.erp, text[:300])
    if not found:
        raise ReviewStateError(f"no customer has the id or name {text[:60]!r}")
    if len(found) > 1:
        ids = ", ".join(f"{i} ({n})" for i, n in found[:5])
        raise ReviewStateError(
            f"{len(found)} customers are called {text[:60]!r}: {ids}; pick one by id"
        )
    return found[0][0]
