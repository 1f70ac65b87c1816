"""`arbridge commissions`: commission on cash collected, per rep, for payroll and sales."""

from __future__ import annotations

import getpass
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import click

from arbridge.app.commissions import CommissionLedger, plan_from
from arbridge.commissions import Plan, lines_csv, totals_csv
from arbridge.commissions.statement import statement
from arbridge.commissions.workbook import workbook
from arbridge.domain.commissions import CommissionLine
from arbridge.domain.money import format_money

if TYPE_CHECKING:
    from arbridge.cli import Context


def _ledger(ctx: Context) -> CommissionLedger:
    settings = ctx.settings.commissions
    if settings is None:
        click.echo(
            "warning: no commissions: section in the config (default_rate, reps): every rate is 0",
            err=True,
        )
    plan = Plan() if settings is None else plan_from(settings)
    name = ctx.settings.connectors.erp.name
    return CommissionLedger(ctx.app.store, name, plan, lambda: datetime.now(UTC))


def _warn_unpriced(ledger: CommissionLedger) -> None:
    for rep in sorted(ledger.unpriced):
        click.echo(
            f"warning: no commission rate for sales rep {rep}: its lines earn 0 "
            f"(set commissions.default_rate or commissions.reps.{rep})",
            err=True,
        )


_DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.group(invoke_without_command=True)
@click.option("--from", "start", type=_DAY, help="First day of the period (booked on).")
@click.option("--to", "end", type=_DAY, help="Last day of the period (included).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "summary", "xlsx", "pdf"]),
    default="csv",
    show_default=True,
    help="csv: one row per rep, application and rate; summary: totals per rep for payroll; "
    "xlsx: a summary sheet and a sheet per rep (--output FILE); pdf: a statement per rep "
    "(--output FOLDER).",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    help="The XLSX file, or the folder for the PDF statements (one <rep>.pdf each).",
)
@click.option(
    "--detail",
    is_flag=True,
    help="Add customer_id, basis, effective_on and the application ids to each csv row.",
)
@click.pass_context
def commissions(
    click_ctx: click.Context,
    *,
    start: datetime | None,
    end: datetime | None,
    fmt: str,
    detail: bool,
    output: Path | None,
) -> None:
    """Commission on cash applied to invoices with a sales rep, booked from --from to --to."""
    if click_ctx.invoked_subcommand is not None:
        return
    if start is None or end is None:
        raise click.UsageError("give --from and --to (or a subcommand such as close)")
    if fmt in ("xlsx", "pdf") and output is None:
        raise click.UsageError(f"--format {fmt} writes files: give --output")
    first, last = start.date(), end.date()
    ledger = _ledger(click_ctx.obj)
    lines = ledger.report(first, last)
    _warn_unpriced(ledger)
    if fmt == "xlsx" and output is not None:
        _write(output, workbook(lines, first, last))
        click.echo(f"{output}: {len(lines)} line(s)")
    elif fmt == "pdf" and output is not None:
        _statements(output, lines, first, last)
    else:
        text = totals_csv(lines) if fmt == "summary" else lines_csv(lines, detail=detail)
        click.echo(text, nl=False)


def _statements(folder: Path, lines: list[CommissionLine], first: date, last: date) -> None:
    for rep in sorted({x.sales_rep for x in lines}):
        target = folder / f"{_file_name(rep)}.pdf"
        _write(target, statement(rep, lines, first, last))
        click.echo(str(target))


def _file_name(rep: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", rep) or "rep"


def _write(path: Path, data: bytes) -> None:
    """Write whole or not at all: a temporary file beside the target, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)


@commissions.command("close")
@click.option("--period", required=True, help="The month to close, YYYY-MM.")
@click.option("--as", "actor", default=getpass.getuser, help="Who closes it (default: you).")
@click.pass_obj
def close(ctx: Context, period: str, actor: str) -> None:
    """Close a month: its lines never change again; later events land in the next open month."""
    ledger = _ledger(ctx)
    lines = ledger.close(period, actor=actor)
    _warn_unpriced(ledger)
    total = sum((x.commission for x in lines), Decimal("0.00"))
    click.echo(f"period {period} closed: {len(lines)} line(s), commission {format_money(total)}")
