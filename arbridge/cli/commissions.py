"""`arbridge commissions`: commission on cash collected, per rep, for payroll and sales."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import click

from arbridge.app.commissions import CommissionLedger, plan_from
from arbridge.commissions import lines_csv, totals_csv
from arbridge.domain.money import format_money

if TYPE_CHECKING:
    from arbridge.cli import Context


def _ledger(ctx: Context) -> CommissionLedger:
    settings = ctx.settings.commissions
    if settings is None:
        raise click.ClickException(
            "no commission plan configured (add a commissions: section with default_rate "
            "and/or reps to the config)"
        )
    name = ctx.settings.connectors.erp.name
    return CommissionLedger(ctx.app.store, name, plan_from(settings), lambda: datetime.now(UTC))


_DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.group(invoke_without_command=True)
@click.option("--from", "start", type=_DAY, help="First day of the period (booked on).")
@click.option("--to", "end", type=_DAY, help="Last day of the period (included).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "summary"]),
    default="csv",
    show_default=True,
    help="csv: one row per rep, application and rate; summary: totals per rep for payroll.",
)
@click.option(
    "--detail",
    is_flag=True,
    help="Add customer_id, basis, effective_on and the application ids to each csv row.",
)
@click.pass_context
def commissions(
    click_ctx: click.Context,
    start: datetime | None,
    end: datetime | None,
    fmt: str,
    detail: bool,
) -> None:
    """Commission on cash applied to invoices with a sales rep, booked from --from to --to."""
    if click_ctx.invoked_subcommand is not None:
        return
    if start is None or end is None:
        raise click.UsageError("give --from and --to (or a subcommand such as close)")
    lines = _ledger(click_ctx.obj).report(start.date(), end.date())
    click.echo(totals_csv(lines) if fmt == "summary" else lines_csv(lines, detail=detail), nl=False)


@commissions.command("close")
@click.option("--period", required=True, help="The month to close, YYYY-MM.")
@click.option("--as", "actor", default=getpass.getuser, help="Who closes it (default: you).")
@click.pass_obj
def close(ctx: Context, period: str, actor: str) -> None:
    """Close a month: its lines never change again; later events land in the next open month."""
    lines = _ledger(ctx).close(period, actor=actor)
    total = sum((x.commission for x in lines), Decimal("0.00"))
    click.echo(f"period {period} closed: {len(lines)} line(s), commission {format_money(total)}")
