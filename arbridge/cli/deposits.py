"""`arbridge deposits`: deposits and retainage held per customer and order."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from arbridge.app.deposits import held_on, queue_actionable
from arbridge.deposits import held_csv

if TYPE_CHECKING:
    from arbridge.cli import Context


@click.command()
@click.option(
    "--as-of", "as_of", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="The day."
)
@click.option(
    "--wait-days",
    type=click.IntRange(min=0),
    default=None,
    help="A paid deposit with no final invoice after this many days is overdue "
    "(default: deposits.wait_days, 30).",
)
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True)
@click.option(
    "--queue",
    is_flag=True,
    help="Also open a deposit_held review item for each row a clerk must act on.",
)
@click.pass_obj
def deposits(ctx: Context, as_of: datetime, wait_days: int | None, fmt: str, queue: bool) -> None:
    """Deposits waiting for their final invoice, and retainage held on progress bills.

    Per customer and order, with their age: paid deposit invoices, and cash held for an
    order's final invoice.
    """
    del fmt  # one format so far
    name = ctx.settings.connectors.erp.name
    if wait_days is None:
        wait_days = ctx.settings.deposits.wait_days
    rows = held_on(ctx.app.store, name, as_of.date(), wait_days)
    click.echo(held_csv(rows), nl=False)
    if queue:
        opened = queue_actionable(ctx.app.store, name, rows, datetime.now(UTC))
        click.echo(f"{opened} new review item(s)", err=True)
