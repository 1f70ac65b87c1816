"""`arbridge tax ...`: exemption certificates against invoices and payments, from a terminal."""

from __future__ import annotations

import getpass
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from arbridge.app import build_erp, build_tax_deps
from arbridge.domain.review import ReviewReason
from arbridge.domain.tax import NewTaxCustomer, TaxFlag
from arbridge.review import ReviewItemView
from arbridge.scheduler import RunSummary
from arbridge.scheduler.tax import TaxCheckDeps, run_tax_step

if TYPE_CHECKING:
    from arbridge.cli import Context


def _deps(ctx: Context) -> TaxCheckDeps:
    deps = build_tax_deps(ctx.settings)
    if deps is None:
        raise click.ClickException("no tax system configured (connectors.tax in the config)")
    return deps


@click.group()
def tax() -> None:
    """Exemption and resale certificates (tax system) against invoices and payments."""


@tax.command("check")
@click.pass_obj
def check(ctx: Context) -> None:
    """Upload dropped certificates, check invoices and short payments, queue what is found."""
    deps, erp = _deps(ctx), build_erp(ctx.settings)
    snapshot = (list(erp.fetch_customers()), list(erp.fetch_invoices()))
    summary = RunSummary(run_id=str(uuid.uuid4()))
    findings = run_tax_step(ctx.app.store, deps, snapshot, summary, lambda: datetime.now(UTC))
    counts = Counter(f.flag.value for f in findings)
    for flag in TaxFlag:
        if counts[flag.value]:
            click.echo(f"{flag.value}: {counts[flag.value]}")
    click.echo(
        f"{len(findings)} finding(s), {summary.counts['queued']} new review item(s), "
        f"{summary.counts['tax_uploads']} certificate(s) uploaded"
    )
    for error in summary.errors:
        click.echo(f"problem: {error}", err=True)
    if summary.errors:
        raise SystemExit(1)


def _setup_items(ctx: Context) -> list[ReviewItemView]:
    items = ctx.app.queue.open_items(reason=ReviewReason.TAX_CERTIFICATE.value)
    flag = TaxFlag.CUSTOMER_MISSING.value
    return [i for i in items if i.suggestions and i.suggestions[0].get("tax_flag") == flag]


@tax.command("setup")
@click.argument("item_ids", nargs=-1, type=int)
@click.option("--all", "everyone", is_flag=True, help="Approve every open set-up task.")
@click.option("--as", "actor", default=getpass.getuser, help="Who approves (default: you).")
@click.pass_obj
def setup(ctx: Context, item_ids: tuple[int, ...], everyone: bool, actor: str) -> None:
    """Create customers missing in the tax system, for the set-up tasks you approve."""
    tasks = _setup_items(ctx)
    chosen = tasks if everyone else [t for t in tasks if t.item_id in item_ids]
    unknown = set(item_ids) - {t.item_id for t in tasks}
    if unknown:
        raise click.ClickException(f"not open set-up tasks: {', '.join(map(str, sorted(unknown)))}")
    if not chosen:
        for t in tasks:
            click.echo(f"#{t.item_id:>5} {t.customer_id}: {t.message}")
        click.echo(f"{len(tasks)} set-up task(s); approve with item ids or --all")
        return
    names = {c.customer_id: c.name for c in build_erp(ctx.settings).fetch_customers()}
    new = [
        NewTaxCustomer(customer_code=code, name=names.get(code, code), alternate_id=code)
        for code in sorted({t.customer_id for t in chosen if t.customer_id})
    ]
    system = _deps(ctx).system
    system.create_customers(new)
    for t in chosen:
        ctx.app.queue.resolve(t.item_id, actor=actor, comment=f"created in {system.name}")
    click.echo(f"{len(new)} customer(s) created in {system.name}")


@tax.command("request")
@click.argument("customer_code")
@click.option("--email", required=True, help="Where the customer receives the invitation.")
@click.pass_obj
def request(ctx: Context, customer_code: str, email: str) -> None:
    """Invite a customer to send a certificate (CertExpress)."""
    system = _deps(ctx).system
    reference = system.request_certificate(customer_code, email)
    click.echo(f"invitation sent to {customer_code} ({reference})")
