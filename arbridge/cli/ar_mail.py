"""`arbridge ar statements` and `arbridge ar dunning`: what goes to customers, each once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from arbridge.domain.money import format_money
from arbridge.receivables import Buckets, OpenItem
from arbridge.receivables.contacts import Contact
from arbridge.receivables.dunning import Notice, Stage, plan_dunning
from arbridge.receivables.statements import Statement, build_statement, month_start

if TYPE_CHECKING:
    from arbridge.app.mail import SmtpMailer
    from arbridge.cli import Context
    from arbridge.store.ar import OpenBook

_DAY = click.DateTime(formats=["%Y-%m-%d"])
DEFAULT_TEMPLATE = """\
Subject: {{ company or "Accounts receivable" }}: {{ stage_title }} for {{ name }}
Dear {{ contact or name }},

{% if days_max < 0 -%}
a friendly reminder that the invoices below fall due shortly.
{%- else -%}
our records show the invoices below as past due.
{%- endif %}

{% for line in lines -%}
  {{ line.invoice_id }}  due {{ line.due_date }}  {{ money(line.open_amount) }}{% if line.days_past_due > 0 %}  ({{ line.days_past_due }} days past due){% endif %}
{% endfor %}
Total: {{ money(total) }}

Your statement is attached. If you have paid already, thank you, and please ignore this
message. If something is wrong with an invoice, please reply so we can put it right.
{% if remit_to %}
Remit to:
{{ remit_to }}
{% endif %}{% if instructions %}
{{ instructions }}
{% endif %}
"""


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class _Loaded:
    erp: str
    book: OpenBook
    buckets: Buckets


def _load(ctx: Context, day: date) -> _Loaded:
    from arbridge.store import ar as store_ar  # noqa: PLC0415 - the store only when used
    from arbridge.store import ar_worklist  # noqa: PLC0415

    erp = ctx.settings.connectors.erp.name
    with ctx.app.store.transaction() as session:
        ar_worklist.settle_promises(session, erp, day, _now())
        book = store_ar.open_book(session, erp)
    if book is None:
        raise click.ClickException(f"no snapshot of ERP {erp!r} yet: run `arbridge run --once`")
    return _Loaded(erp, book, Buckets(ctx.settings.ar.aging.buckets))


def _statements(ctx: Context, loaded: _Loaded, day: date) -> dict[str, Statement]:
    from arbridge.store import ar_statements  # noqa: PLC0415

    with ctx.app.store.transaction() as session:
        moved = ar_statements.activity(session, loaded.erp, month_start(day), day)
    mine: dict[str, list[OpenItem]] = {}
    for item in loaded.book.items:
        if item.open_amount:
            mine.setdefault(item.customer_id, []).append(item)
    return {
        cid: build_statement(
            cid,
            loaded.book.names.get(cid, ""),
            mine.get(cid, []),
            moved.get(cid, []),
            as_of=day,
            buckets=loaded.buckets,
        )
        for cid in sorted(mine.keys() | moved.keys())
    }


def _pdf(ctx: Context, statement: Statement) -> bytes:
    from arbridge.app.statement_pdf import render_statement  # noqa: PLC0415 - fpdf2 only when used

    s = ctx.settings.ar.statements
    return render_statement(
        statement, company=s.company, remit_to=s.remit_to, instructions=s.payment_instructions
    )


def _pdfs(ctx: Context, statements: list[Statement]) -> Iterator[bytes]:
    """Many statements' PDFs, in order, rendered on every CPU."""
    from arbridge.app.statement_pdf import render_many  # noqa: PLC0415 - fpdf2 only when used

    s = ctx.settings.ar.statements
    return render_many(
        statements, company=s.company, remit_to=s.remit_to, instructions=s.payment_instructions
    )


def _mailer(ctx: Context) -> SmtpMailer:
    from arbridge.app.mail import SmtpMailer  # noqa: PLC0415

    if ctx.settings.smtp is None:
        raise click.ClickException("sending needs an smtp: section in the config")
    return SmtpMailer(ctx.settings.smtp)


def _contacts(ctx: Context, erp: str) -> dict[str, Contact]:
    """Typed into arbridge, else the ERP's, else the config's (YAML, then CSV)."""
    from arbridge.app.ar_contacts import configured_contacts  # noqa: PLC0415
    from arbridge.store import ar_contacts  # noqa: PLC0415

    configured = configured_contacts(ctx.settings.ar)
    with ctx.app.store.transaction() as session:
        return ar_contacts.contacts(session, erp, configured)


def _emails(ctx: Context, erp: str) -> dict[str, str]:
    return {cid: c.email for cid, c in _contacts(ctx, erp).items() if c.email}


def _log(
    ctx: Context,
    erp: str,
    customer: str,
    *,
    kind: str,
    keys: list[str],
    to: str,
    subject: str,
    message_id: str,
) -> None:
    from arbridge.store import ar_collections  # noqa: PLC0415
    from arbridge.store.ar_tables import ArEmailRow  # noqa: PLC0415

    now = _now()
    with ctx.app.store.transaction() as session:
        for key in keys:
            row = ArEmailRow(
                erp=erp,
                customer_id=customer,
                kind=kind,
                key=key,
                recipient=to,
                subject=subject,
                message_id=message_id,
                sent_at=now,
            )
            ar_collections.log_email(session, row)
        ar_collections.add_note(
            session,
            erp,
            customer,
            kind="email",
            text=f"sent {subject!r} to {to} ({message_id})",
            actor="arbridge",
            now=now,
        )


@click.command("statements")
@click.option(
    "--as-of", "as_of", type=_DAY, default=None, help="The statement date (default today)."
)
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option(
    "--send", is_flag=True, help="Also email each to the customer's address (once per month)."
)
@click.pass_obj
def statements(ctx: Context, as_of: datetime | None, out: Path, send: bool) -> None:
    """One PDF statement per customer with money open or activity in the month."""
    from arbridge.store import ar_collections  # noqa: PLC0415

    day = as_of.date() if as_of else _now().date()
    loaded = _load(ctx, day)
    out.mkdir(parents=True, exist_ok=True)
    mailer = _mailer(ctx) if send else None
    emails = _emails(ctx, loaded.erp)
    written = sent = 0
    built = _statements(ctx, loaded, day)
    for (cid, statement), data in zip(built.items(), _pdfs(ctx, list(built.values())), strict=True):
        name = f"statement-{cid}-{statement.month}.pdf"
        (out / name).write_bytes(data)
        written += 1
        if mailer is None:
            continue
        key = f"statement:{cid}:{statement.month}"
        with ctx.app.store.transaction() as session:
            done = ar_collections.was_sent(session, loaded.erp, key)
        if done or cid not in emails:
            click.echo(f"{cid}: {'already sent' if done else 'not sent: no email address'}")
            continue
        subject = f"Statement {statement.month}: {format_money(statement.closing)} open"
        body = f"Dear {statement.name},\n\nyour statement for {statement.month} is attached.\n"
        message_id = mailer.send([emails[cid]], subject, body, [(name, data)])
        _log(
            ctx,
            loaded.erp,
            cid,
            kind="statement",
            keys=[key],
            to=emails[cid],
            subject=subject,
            message_id=message_id,
        )
        sent += 1
    click.echo(f"{written} statement(s) written to {out}" + (f"; {sent} sent" if send else ""))


def _template(ctx: Context, stage: Stage, language: str | None) -> Template:
    """The stage's template in the customer's language, else the default language's."""
    settings = ctx.settings.ar.dunning
    env = Environment(  # noqa: S701 - plain-text email, not HTML: nothing to escape
        loader=FileSystemLoader(str(settings.templates)) if settings.templates else None,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    if settings.templates:
        languages = dict.fromkeys(x for x in (language, settings.language) if x)
        names = [f"{stage.name}.{lang}.txt" for lang in languages] + [f"{stage.name}.txt"]
        for name in names:
            if (settings.templates / name).is_file():
                return env.get_template(name)
    return env.from_string(DEFAULT_TEMPLATE)


def _render(ctx: Context, notice: Notice, name: str, contact: Contact) -> tuple[str, str]:
    s = ctx.settings.ar.statements
    text = _template(ctx, notice.stage, contact.language).render(
        company=s.company,
        name=name,
        contact=contact.name,
        stage=notice.stage.name,
        stage_title=notice.stage.name.replace("_", " "),
        lines=notice.lines,
        total=notice.total,
        days_max=max(line.days_past_due for line in notice.lines),
        remit_to=s.remit_to,
        instructions=s.payment_instructions,
        money=format_money,
    )
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise click.ClickException(
            f"dunning template of {notice.stage.name}: first line must be 'Subject: ...'"
        )
    return first.removeprefix("Subject:").strip(), body.lstrip("\n")


@click.command("dunning")
@click.option("--as-of", "as_of", type=_DAY, default=None, help="Default today (UTC).")
@click.option(
    "--send", is_flag=True, help="Really send (default: a dry run, unless ar.dunning.send)."
)
@click.pass_obj
def dunning(ctx: Context, as_of: datetime | None, send: bool) -> None:
    """Reminders and past-due notices by stage; never for money that is disputed, promised or in flight."""
    from arbridge.store import ar_collections, ar_worklist  # noqa: PLC0415

    day = as_of.date() if as_of else _now().date()
    loaded = _load(ctx, day)
    settings = ctx.settings.ar.dunning
    sending = send or settings.send
    stages = [Stage(s.name, s.days, s.action) for s in settings.stages]
    with ctx.app.store.transaction() as session:
        facts = ar_worklist.customer_facts(session, loaded.erp, loaded.book.names)
        done = ar_collections.dunned(session, loaded.erp)
    contacts = _contacts(ctx, loaded.erp)
    plan = plan_dunning(loaded.book.items, day, facts, stages=stages, done=done)
    for customer, invoice, why in plan.held:
        click.echo(f"held {customer} {invoice}: {why}")
    mailer = _mailer(ctx) if sending and plan.notices else None
    pdfs: dict[str, bytes] = {}
    statements: dict[str, Statement] = {}
    for notice in plan.notices:
        cid = notice.customer_id
        ids = " ".join(line.invoice_id for line in notice.lines)
        head = f"{cid} {notice.stage.name}: {ids} ({format_money(notice.total)})"
        if notice.stage.action == "credit_hold":
            click.echo(f"{head}: credit hold recommended")
            continue
        contact = contacts.get(cid, Contact())
        to = contact.email
        if not to:
            click.echo(f"{head}: not sent, no email address (ar customer {cid} --email ...)")
            continue
        subject, body = _render(ctx, notice, loaded.book.names.get(cid, cid), contact)
        if mailer is None:
            click.echo(f"{head}: would send {subject!r} to {to} (dry run)")
            continue
        if cid not in pdfs:
            statements = statements or _statements(ctx, loaded, day)  # built once, when needed
            pdfs[cid] = _pdf(ctx, statements[cid])
        message_id = mailer.send(
            [to], subject, body, [(f"statement-{cid}-{day:%Y-%m}.pdf", pdfs[cid])]
        )
        keys = [f"dunning:{line.invoice_id}:{notice.stage.name}" for line in notice.lines]
        _log(
            ctx,
            loaded.erp,
            cid,
            kind="dunning",
            keys=keys,
            to=to,
            subject=subject,
            message_id=message_id,
        )
        click.echo(f"{head}: sent to {to} {message_id}")


MAIL_COMMANDS = (statements, dunning)
