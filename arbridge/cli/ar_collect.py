"""`arbridge ar worklist|customer|note|promise|plan|cancel-promise|dispute`: collections work."""

from __future__ import annotations

import csv
import dataclasses
import getpass
import json
import re
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from arbridge.domain.money import format_money, parse_money
from arbridge.receivables.contacts import Contact
from arbridge.receivables.worklist import WorkItem, worklist_of

if TYPE_CHECKING:
    from sqlmodel import Session

    from arbridge.cli import Context

WORKLIST_COLUMNS = (
    "customer_id",
    "customer_name",
    "past_due",
    "oldest_days",
    "in_flight",
    "promised",
    "disputed",
    "to_chase",
    "weight",
    "priority",
    "holds",
    "collector",
    "next_action_on",
)
_ACTOR = click.option(
    "--as", "actor", default=getpass.getuser, help="Who is acting (default: you)."
)
_DAY = click.DateTime(formats=["%Y-%m-%d"])


def _now() -> datetime:
    return datetime.now(UTC)


def _erp(ctx: Context) -> str:
    return ctx.settings.connectors.erp.name


def _known_customer(session: Session, erp: str, customer_id: str) -> str:
    from arbridge.store import erp as erp_store  # noqa: PLC0415 - the store only when used

    names = erp_store.customer_names(session, erp)
    if customer_id not in names:
        raise click.ClickException(f"customer {customer_id!r} is not in ERP {erp!r}")
    return names[customer_id]


def _work_row(w: WorkItem) -> dict[str, str]:
    return {
        "customer_id": w.customer_id,
        "customer_name": w.name,
        "past_due": format_money(w.past_due),
        "oldest_days": str(w.oldest_days),
        "in_flight": format_money(w.in_flight),
        "promised": format_money(w.promised),
        "disputed": format_money(w.disputed),
        "to_chase": format_money(w.to_chase),
        "weight": str(w.weight),
        "priority": format_money(w.priority),
        "holds": "; ".join(w.holds),
        "collector": w.collector or "",
        "next_action_on": w.next_action_on.isoformat() if w.next_action_on else "",
    }


@click.command("worklist")
@click.option("--as-of", "as_of", type=_DAY, default=None, help="Default today (UTC).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "table"]),
    default="table",
    show_default=True,
)
@click.option("--collector", default=None, help="Only this collector's customers.")
@click.option("--hide-held", is_flag=True, help="Leave out customers not to be chased now.")
@click.pass_obj
def worklist(
    ctx: Context, as_of: datetime | None, fmt: str, collector: str | None, hide_held: bool
) -> None:
    """Customers with money past due, the one to chase first on top; held ones last, with why."""
    from arbridge.store import ar_sums, ar_worklist  # noqa: PLC0415
    from arbridge.store import erp as erp_store  # noqa: PLC0415

    day = as_of.date() if as_of else _now().date()
    erp = _erp(ctx)
    with ctx.app.store.transaction() as session:
        ar_worklist.settle_promises(session, erp, day, _now())
        facts = ar_worklist.customer_facts(session, erp, erp_store.customer_names(session, erp))
        disputed = {cid: f.disputed for cid, f in facts.items() if f.disputed}
        owed = ar_sums.owed(session, erp, day, disputed)
        if owed is None:
            raise click.ClickException(f"no snapshot of ERP {erp!r} yet: run `arbridge run --once`")
    rows = worklist_of(owed, facts)
    rows = [r for r in rows if (collector is None or r.collector == collector)]
    rows = [r for r in rows if not (hide_held and r.held)]
    out = [_work_row(r) for r in rows]
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=WORKLIST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(out)
    elif fmt == "json":
        click.echo(json.dumps(out, indent=2))
    else:
        for r in out:
            held = f"  HELD: {r['holds']}" if r["holds"] else ""
            click.echo(
                f"{r['customer_id']:<12} {r['customer_name'][:28]:<28} past due {r['past_due']:>12} "
                f"oldest {r['oldest_days']:>4}d  chase {r['to_chase']:>12}  priority {r['priority']:>14}{held}"
            )
        click.echo(f"{len(out)} customer(s)")


@click.command("note")
@click.argument("customer_id")
@click.argument("text")
@click.option(
    "--kind",
    type=click.Choice(["note", "call", "email", "letter", "meeting"]),
    default="note",
    show_default=True,
)
@_ACTOR
@click.pass_obj
def note(ctx: Context, customer_id: str, text: str, kind: str, actor: str) -> None:
    """Record a collection effort or remark on a customer."""
    from arbridge.store import ar_collections  # noqa: PLC0415

    erp = _erp(ctx)
    with ctx.app.store.transaction() as session:
        _known_customer(session, erp, customer_id)
        ar_collections.add_note(
            session, erp, customer_id, kind=kind, text=text, actor=actor, now=_now()
        )
    click.echo(f"{kind} noted on {customer_id}")


def _instalment(text: str) -> tuple[date, Decimal]:
    day, _, amount = text.partition(":")
    try:
        return date.fromisoformat(day), parse_money(amount)
    except ValueError:
        raise click.BadParameter(f"{text!r}: expected YYYY-MM-DD:AMOUNT") from None


def _record_promises(
    ctx: Context,
    customer_id: str,
    instalments: list[tuple[date, Decimal]],
    plan: str | None,
    actor: str,
) -> list[int]:
    from arbridge.store import ar_collections  # noqa: PLC0415

    if any(amount <= 0 for _, amount in instalments):
        raise click.BadParameter("amounts must be above zero")
    erp, now = _erp(ctx), _now()
    with ctx.app.store.transaction() as session:
        _known_customer(session, erp, customer_id)
        rows = ar_collections.add_promises(
            session, erp, customer_id, instalments, plan=plan, actor=actor, now=now
        )
        listed = ", ".join(f"{format_money(a)} by {d}" for d, a in instalments)
        what = f"payment plan {plan}" if plan else "promise to pay"
        ar_collections.add_note(
            session,
            erp,
            customer_id,
            kind="plan" if plan else "promise",
            text=f"{what}: {listed}",
            actor=actor,
            now=now,
        )
    return [r.id or 0 for r in rows]


@click.command("promise")
@click.argument("customer_id")
@click.option("--amount", required=True, help="How much the customer promised.")
@click.option(
    "--by", "by", type=_DAY, required=True, help="The day it is promised by (YYYY-MM-DD)."
)
@_ACTOR
@click.pass_obj
def promise(ctx: Context, customer_id: str, amount: str, by: datetime, actor: str) -> None:
    """Record a promise to pay; arbridge marks it kept or broken by the cash that arrives."""
    (pid,) = _record_promises(ctx, customer_id, [_instalment(f"{by.date()}:{amount}")], None, actor)
    click.echo(f"promise #{pid} recorded for {customer_id}")


@click.command("plan")
@click.argument("customer_id")
@click.option(
    "--instalment",
    "instalments",
    multiple=True,
    required=True,
    metavar="YYYY-MM-DD:AMOUNT",
    help="One instalment (repeat for each).",
)
@click.option("--name", default=None, help="The plan's name (default: plan-<customer>-<today>).")
@_ACTOR
@click.pass_obj
def plan(
    ctx: Context, customer_id: str, instalments: tuple[str, ...], name: str | None, actor: str
) -> None:
    """Record a payment plan: instalments tracked against arriving cash like promises."""
    parsed = sorted(_instalment(t) for t in instalments)
    label = name or f"plan-{customer_id}-{_now().date()}"
    ids = _record_promises(ctx, customer_id, parsed, label, actor)
    click.echo(
        f"plan {label} recorded for {customer_id}: instalments {', '.join(f'#{i}' for i in ids)}"
    )


@click.command("cancel-promise")
@click.argument("promise_id", type=int)
@_ACTOR
@click.pass_obj
def cancel_promise(ctx: Context, promise_id: int, actor: str) -> None:
    """Withdraw an open promise or instalment."""
    from arbridge.store import ar_collections  # noqa: PLC0415

    erp, now = _erp(ctx), _now()
    with ctx.app.store.transaction() as session:
        try:
            row = ar_collections.cancel_promise(session, erp, promise_id, now)
        except LookupError as exc:
            raise click.ClickException(str(exc)) from None
        ar_collections.add_note(
            session,
            erp,
            row.customer_id,
            kind="promise",
            text=f"promise #{promise_id} cancelled",
            actor=actor,
            now=now,
        )
    click.echo(f"promise #{promise_id} cancelled")


@click.command("dispute")
@click.argument("invoice_id")
@click.option("--reason", default=None, help="Why the customer disputes it (required to open).")
@click.option("--close", is_flag=True, help="End the dispute.")
@_ACTOR
@click.pass_obj
def dispute(ctx: Context, invoice_id: str, reason: str | None, close: bool, actor: str) -> None:
    """Put an invoice in dispute (it is not chased), or end its dispute."""
    from arbridge.store import ar_collections  # noqa: PLC0415
    from arbridge.store.tables import InvoiceRow  # noqa: PLC0415

    erp, now = _erp(ctx), _now()
    with ctx.app.store.transaction() as session:
        invoice = session.get(InvoiceRow, (erp, invoice_id))
        if invoice is None:
            raise click.ClickException(f"invoice {invoice_id!r} is not in ERP {erp!r}")
        if close:
            if not ar_collections.close_dispute(session, erp, invoice_id, now):
                raise click.ClickException(f"invoice {invoice_id} is not in dispute")
            text = f"dispute of {invoice_id} closed"
        else:
            if not reason:
                raise click.BadParameter("give --reason to open a dispute")
            ar_collections.open_dispute(
                session, erp, invoice_id, invoice.customer_id, reason=reason, actor=actor, now=now
            )
            text = f"{invoice_id} disputed: {reason}"
        ar_collections.add_note(
            session, erp, invoice.customer_id, kind="dispute", text=text, actor=actor, now=now
        )
    click.echo(text)


@click.command("customer")
@click.argument("customer_id")
@click.option("--collector", default=None, help="Assign a collector.")
@click.option("--next-action", "next_action_on", type=_DAY, default=None, help="YYYY-MM-DD.")
@click.option("--contact", "contact_name", default=None)
@click.option("--email", "contact_email", default=None)
@click.option("--phone", "contact_phone", default=None)
@click.option(
    "--language",
    default=None,
    help="Two-letter code of the customer's dunning letters (over the ERP's and the config's).",
)
@click.option("--opt-out/--opt-in", "opted_out", default=None, help="Never dun / dun again.")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table")
@_ACTOR
@click.pass_obj
def customer(ctx: Context, /, customer_id: str, fmt: str, actor: str, **changes: Any) -> None:
    """Show a customer's collections page; options given change its facts first."""
    from arbridge.app.ar_contacts import configured_contacts  # noqa: PLC0415
    from arbridge.store import ar_collections  # noqa: PLC0415

    given = {k: v for k, v in changes.items() if v is not None}
    if "language" in given and not re.fullmatch(r"[a-z]{2}", given["language"]):
        raise click.BadParameter("a two-letter code: en, de, fr, ...", param_hint="--language")
    if isinstance(given.get("next_action_on"), datetime):
        given["next_action_on"] = given["next_action_on"].date()
    erp = _erp(ctx)
    with ctx.app.store.transaction() as session:
        name = _known_customer(session, erp, customer_id)
        if given:
            try:
                ar_collections.set_profile(
                    session, erp, customer_id, given, actor=actor, now=_now()
                )
            except ValueError as exc:
                raise click.BadParameter(str(exc)) from None
        page = _page(session, erp, customer_id, name)
        page["contact"] = _contact(session, erp, customer_id, configured_contacts(ctx.settings.ar))
    if fmt == "json":
        click.echo(json.dumps(page, indent=2))
        return
    for key, value in page["profile"].items():
        click.echo(f"{key:>16}: {value if value not in (None, '') else '-'}")
    used = page["contact"]
    click.echo(
        f"{'writes to':>16}: {used['email'] or '-'} ({used['language'] or 'default language'})"
    )
    for p in page["promises"]:
        click.echo(
            f"  promise #{p['id']} {p['amount']} by {p['due_on']}: {p['status']}{' (' + p['plan'] + ')' if p['plan'] else ''}"
        )
    for d in page["disputes"]:
        click.echo(f"  dispute {d['invoice_id']}: {d['reason']}")
    for n in page["notes"]:
        click.echo(f"  {n['at'][:16]} {n['actor']} [{n['kind']}] {n['text']}")
    for e in page["emails"]:
        click.echo(f"  email {e['sent_at'][:16]} {e['key']} to {e['to']}: {e['message_id']}")


def _contact(
    session: Session, erp: str, customer_id: str, configured: dict[str, Contact]
) -> dict[str, str | None]:
    """The contact dunning and statements use (typed, else the ERP's, else the config's)."""
    from arbridge.store import ar_contacts  # noqa: PLC0415

    found = ar_contacts.contacts(session, erp, configured).get(customer_id, Contact())
    return dataclasses.asdict(found)


def _page(session: Session, erp: str, customer_id: str, name: str) -> dict[str, Any]:
    from arbridge.store import ar_collections  # noqa: PLC0415

    profile = ar_collections.profiles(session, erp).get(customer_id)
    facts = {f: getattr(profile, f) if profile else None for f in ar_collections.PROFILE_FIELDS}
    if facts["next_action_on"] is not None:
        facts["next_action_on"] = facts["next_action_on"].isoformat()
    facts["opted_out"] = bool(facts["opted_out"])
    return {
        "profile": {"customer_id": customer_id, "name": name, **facts},
        "promises": [
            {
                "id": p.id,
                "plan": p.plan,
                "due_on": p.due_on.isoformat(),
                "amount": format_money(p.amount),
                "status": p.status,
            }
            for p in ar_collections.promises(session, erp, customer_id)
        ],
        "disputes": [
            {"invoice_id": d.invoice_id, "reason": d.reason, "opened_by": d.opened_by}
            for d in ar_collections.disputes(session, erp, customer_id)
        ],
        "notes": [
            {"at": n.at.isoformat(), "actor": n.actor, "kind": n.kind, "text": n.text}
            for n in ar_collections.notes(session, erp, customer_id)
        ],
        "emails": [
            {
                "sent_at": e.sent_at.isoformat(),
                "kind": e.kind,
                "key": e.key,
                "to": e.recipient,
                "subject": e.subject,
                "message_id": e.message_id,
            }
            for e in ar_collections.emails(session, erp, customer_id)
        ],
    }


COLLECTION_COMMANDS = (worklist, note, promise, plan, cancel_promise, dispute, customer)
