"""The finance web page: routes over the review queue, the resolver and the store."""

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from arbridge.domain.money import parse_money
from arbridge.domain.review import ReviewReason, ReviewStatus
from arbridge.review import ReviewQueue, ReviewStateError
from arbridge.review.limits import WriteOffPolicy
from arbridge.review.resolutions import Resolver
from arbridge.store import Store
from arbridge.store.reviews import ReviewFilter
from arbridge.store.runs import recent_runs
from arbridge.store.status import status_report
from arbridge.web.ar import ar_routes
from arbridge.web.auth import SESSION_COOKIE, SESSION_MAX_AGE, Role, Sessions, User, check_login
from arbridge.web.filters import queue_filter

PAGE_SIZE = 50
_TEMPLATES = Jinja2Templates(directory=str(resources.files("arbridge.web") / "templates"))


class _Login(Exception):
    """Not logged in: send the browser to the login page."""


@dataclass(frozen=True, slots=True)
class _Web:
    """What every route works with."""

    store: Store
    sessions: Sessions
    queue: ReviewQueue
    resolver: Resolver

    def current(self, request: Request) -> tuple[User, str]:
        """The logged-in user and session token, or a redirect to the login page."""
        found = self.sessions.user_of(request.cookies.get(SESSION_COOKIE))
        if found is None:
            raise _Login
        return found

    def page(
        self, request: Request, name: str, who: tuple[User, str] | None, **context: Any
    ) -> Response:
        """Render a template with the user and their CSRF token."""
        extra = {"user": who[0], "csrf": self.sessions.csrf_token(who[1])} if who else {}
        return _TEMPLATES.TemplateResponse(request, name, {**extra, **context})

    def guard(self, who: tuple[User, str], csrf: str | None, role: Role = Role.CLERK) -> User:
        """Refuse a form without this session's CSRF token, or from a user below `role`."""
        if not self.sessions.csrf_ok(who[1], csrf):
            raise HTTPException(403, "the form's CSRF token is missing or wrong; reload the page")
        return self.require(who, role)

    @staticmethod
    def require(who: tuple[User, str], role: Role) -> User:
        """Refuse a user below `role`."""
        if who[0].role < role:
            raise HTTPException(403, f"{who[0].name} may not do this ({role.name.lower()} only)")
        return who[0]


def create_app(
    store: Store,
    *,
    erp: str,
    secret_key: str | None = None,
    write_off: WriteOffPolicy = WriteOffPolicy(),  # noqa: B008 (frozen)
) -> FastAPI:
    """The web app over one store; `erp` names the ERP that resolutions post to."""
    app = FastAPI(title="arbridge", docs_url=None, redoc_url=None, openapi_url=None)
    resolver = Resolver(store, erp, write_off=write_off)
    web = _Web(store, Sessions(secret_key), ReviewQueue(store), resolver)

    @app.exception_handler(_Login)
    def _to_login(_request: Request, _exc: _Login) -> Response:
        return RedirectResponse("/login", status_code=303)

    app.mount(
        "/static", StaticFiles(directory=str(resources.files("arbridge.web") / "static")), "static"
    )
    _auth_routes(app, web)
    _queue_routes(app, web)
    _correction_routes(app, web)  # before _action_routes: its /items/{id}/{action} catches all
    _action_routes(app, web)
    _admin_routes(app, web)
    ar_routes(app, web, erp)
    return app


def _auth_routes(app: FastAPI, web: _Web) -> None:
    Current = Annotated[tuple[User, str], Depends(web.current)]

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        return web.page(request, "login.html", None, error=None)

    @app.post("/login")
    def login(
        request: Request, name: Annotated[str, Form()], password: Annotated[str, Form()]
    ) -> Response:
        user = check_login(web.store, name, password)
        if user is None:
            return web.page(request, "login.html", None, error="Wrong name or password.")
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            web.sessions.cookie_for(user),
            max_age=SESSION_MAX_AGE,
            httponly=True,
            samesite="lax",
        )
        return response

    @app.post("/logout")
    def logout(who: Current, csrf: Annotated[str | None, Form()] = None) -> Response:
        web.guard(who, csrf, Role.VIEWER)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response


def _queue_routes(app: FastAPI, web: _Web) -> None:
    Current = Annotated[tuple[User, str], Depends(web.current)]

    @app.get("/", response_class=HTMLResponse)
    def queue_page(request: Request, who: Current, page_no: int = 1) -> Response:
        wanted, shown, problems = queue_filter(request.query_params, datetime.now(UTC))
        counts = web.queue.counts(wanted)
        total = sum(counts.values()) if wanted.reason is None else counts.get(wanted.reason, 0)
        offset = (max(page_no, 1) - 1) * PAGE_SIZE
        items = web.queue.open_items(limit=PAGE_SIZE, offset=offset, **_narrowing(wanted))
        return web.page(
            request,
            "queue.html",
            who,
            items=items,
            reasons=list(ReviewReason),
            statuses=list(ReviewStatus),
            counts=counts,
            total=total,
            shown=shown,
            problems=problems,
            page_no=page_no,
            more=offset + len(items) < total,
            query=urlencode(shown),
            now=datetime.now(UTC),
            notice=request.query_params.get("notice", ""),
        )

    @app.get("/items/{item_id}", response_class=HTMLResponse)
    def item_page(request: Request, item_id: int, who: Current, error: str = "") -> Response:
        try:
            item, trail = web.queue.show(item_id)
        except ReviewStateError as exc:
            raise HTTPException(404, str(exc)) from None
        return web.page(
            request,
            "item.html",
            who,
            item=item,
            trail=trail,
            error=error,
            line=web.queue.evidence(item_id),
            write_off=web.resolver.write_off_policy,
            posted=web.resolver.correctable(item_id),
        )

    @app.get("/runs", response_class=HTMLResponse)
    def runs_page(request: Request, who: Current) -> Response:
        with web.store.transaction() as session:
            runs, report = recent_runs(session, limit=30), status_report(session)
        return web.page(request, "runs.html", who, runs=runs, report=report)


def _action_routes(app: FastAPI, web: _Web) -> None:
    Current = Annotated[tuple[User, str], Depends(web.current)]
    Text = Annotated[str, Form()]

    @app.post("/items/{item_id}/apply")
    def apply(
        item_id: int,
        who: Current,
        invoice: Annotated[list[str], Form()],
        amount: Annotated[list[str], Form()],
        csrf: Annotated[str | None, Form()] = None,
    ) -> Response:
        user = web.guard(who, csrf)
        try:
            web.resolver.apply(item_id, _allocations(invoice, amount), actor=user.name)
        except ReviewStateError as exc:
            return RedirectResponse(f"/items/{item_id}?error={exc}", status_code=303)
        return RedirectResponse(f"/items/{item_id}", status_code=303)

    @app.post("/items/{item_id}/{action}")
    def change(
        item_id: int,
        action: str,
        who: Current,
        *,
        csrf: Text = "",
        comment: Text = "",
        assignee: Text = "",
        customer: Text = "",
        category: Text = "",
        invoice: Text = "",
        reason: Text = "",
    ) -> Response:
        user = web.guard(who, csrf)
        try:
            if action == "write-off":
                web.resolver.write_off(item_id, invoice.strip(), reason, actor=user.name)
            elif action == "refund":
                web.resolver.refund(item_id, customer.strip() or None, actor=user.name)
            elif action == "on-account":
                web.resolver.on_account(item_id, customer.strip(), actor=user.name)
            elif action == "not-ar":
                web.resolver.not_receivable(item_id, category, actor=user.name)
            elif action == "assign":
                web.queue.assign(item_id, assignee or user.name, actor=user.name)
            elif action == "dismiss":
                web.queue.dismiss(item_id, actor=user.name, comment=comment)
            elif action == "comment":
                web.queue.comment(item_id, comment, actor=user.name)
            elif action == "reopen":
                web.queue.reopen(item_id, actor=user.name, comment=comment or None)
            else:
                raise HTTPException(404, f"no action {action!r}")
        except ReviewStateError as exc:
            return RedirectResponse(f"/items/{item_id}?error={exc}", status_code=303)
        return RedirectResponse(f"/items/{item_id}", status_code=303)


def _admin_routes(app: FastAPI, web: _Web) -> None:
    Current = Annotated[tuple[User, str], Depends(web.current)]
    Text = Annotated[str, Form()]

    @app.post("/bulk")
    def bulk(
        who: Current,
        *,
        item: Annotated[list[int] | None, Form()] = None,
        csrf: Text = "",
        action: Text = "assign",
        assignee: Text = "",
        comment: Text = "",
        back: Text = "",
    ) -> Response:
        user = web.guard(who, csrf)
        item = item or []
        refused = web.queue.bulk(
            item, action, actor=user.name, assignee=assignee.strip(), comment=comment
        )
        done = len(item) - len(refused)
        note = f"{action}: {done} of {len(item)} done" + "".join(f"; {r}" for r in refused[:5])
        return RedirectResponse(f"/?{back}&{urlencode({'notice': note})}", status_code=303)

    @app.get("/settings", response_class=HTMLResponse)
    def settings_page(request: Request, who: Current, error: str = "") -> Response:
        web.require(who, Role.ADMIN)
        limits = web.resolver.limits
        return web.page(
            request,
            "settings.html",
            who,
            policy=limits.write_off(),
            configured=limits.configured,
            error=error,
        )

    @app.post("/settings")
    def change_settings(who: Current, write_off_limit: Text, csrf: Text = "") -> Response:
        user = web.guard(who, csrf, Role.ADMIN)
        try:
            web.resolver.limits.set_write_off_limit(write_off_limit, actor=user.name)
        except ReviewStateError as exc:
            return RedirectResponse(f"/settings?{urlencode({'error': str(exc)})}", 303)
        return RedirectResponse("/settings", status_code=303)


def _narrowing(wanted: ReviewFilter) -> dict[str, Any]:
    fields = asdict(wanted)
    del fields["item_id"]
    return fields


def _correction_routes(app: FastAPI, web: _Web) -> None:
    Current = Annotated[tuple[User, str], Depends(web.current)]

    @app.post("/items/{item_id}/correct")
    def correct(
        item_id: int,
        who: Current,
        invoice: Annotated[list[str], Form()],
        amount: Annotated[list[str], Form()],
        *,
        reason: Annotated[str, Form()] = "",
        csrf: Annotated[str | None, Form()] = None,
    ) -> Response:
        user = web.guard(who, csrf)
        try:
            chosen = _allocations(invoice, amount)
            web.resolver.correct(item_id, chosen, actor=user.name, reason=reason)
        except ReviewStateError as exc:
            return RedirectResponse(f"/items/{item_id}?error={exc}", status_code=303)
        return RedirectResponse(f"/items/{item_id}", status_code=303)


def _allocations(invoices: list[str], amounts: list[str]) -> list[tuple[str, Decimal]]:
    """The split form's rows that name an invoice, as (invoice, amount)."""
    chosen = []
    for invoice, text in zip(invoices, amounts, strict=True):
        if not invoice.strip():
            continue
        try:  # digits and one point only: NaN, Infinity and exponents are not amounts (I4)
            chosen.append((invoice.strip(), parse_money(text.strip())))
        except ValueError:
            raise ReviewStateError(
                f"amount for {invoice.strip()}: {text!r} is not an amount"
            ) from None
    return chosen
