"""`arbridge deposits`: deposits and retainage held per customer and order."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import click

from arbridge.app.deposits import held_on
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
    default=30,
    show_default=True,
    help="A paid deposit with no final invoice after this many days is overdue.",
)
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True)
@click.pass_obj
def deposits(ctx: Context, as_of: datetime, wait_days: int, fmt: str) -> None:
    """Paid deposits waiting for their final invoice, and retainage held on progress bills."""
    del fmt  # one format so far
    name = ctx.settings.connectors.erp.name
    click.echo(held_csv(held_on(ctx.app.store, name, as_of.date(), wait_days)), nl=False)
