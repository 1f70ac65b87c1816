"""`arbridge ar ...`: receivables aging and the collection KPIs (CONTRACT.md §7)."""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import click

from arbridge.cli.ar_collect import COLLECTION_COMMANDS
from arbridge.cli.ar_mail import MAIL_COMMANDS
from arbridge.domain.money import format_money
from arbridge.receivables import AgingReport, AgingRow, Basis, Buckets
from arbridge.receivables.aging import aging_report
from arbridge.receivables.guardrails import Targets, check
from arbridge.receivables.kpis import kpis_json, kpis_of

if TYPE_CHECKING:
    from arbridge.cli import Context


def _today() -> date:
    return datetime.now(UTC).date()


_AS_OF = click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day to report on (YYYY-MM-DD; default today, UTC).",
)


@click.group()
def ar() -> None:
    """Receivables health: aging and the collection KPIs."""


def _missing(erp: str) -> click.ClickException:
    return click.ClickException(
        f"no snapshot of ERP {erp!r} in the store yet: run `arbridge run --once` first"
    )


@ar.command("aging")
@_AS_OF
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "table"]),
    default="table",
    show_default=True,
)
@click.option(
    "--basis",
    type=click.Choice([b.value for b in Basis]),
    default=None,
    help="Age by days past due (default, or ar.aging.basis) or days since the invoice date.",
)
@click.option(
    "--buckets",
    default=None,
    metavar="DAYS,DAYS,...",
    help="Bucket limits after `current`, e.g. 30,60,90 (default ar.aging.buckets).",
)
@click.pass_obj
def aging(
    ctx: Context, as_of: datetime | None, fmt: str, basis: str | None, buckets: str | None
) -> None:
    """Open receivables per customer in buckets of days past due, then a TOTAL row."""
    settings = ctx.settings.ar.aging
    try:
        spec = Buckets(_bounds(buckets) if buckets else settings.buckets)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--buckets") from None
    from arbridge.store import ar_sums  # noqa: PLC0415 - the store only when used
    from arbridge.store import erp as erp_store  # noqa: PLC0415

    day, how, erp = as_of.date() if as_of else _today(), Basis(basis or settings.basis), _erp(ctx)
    with ctx.app.store.transaction() as session:
        sums = ar_sums.aging_sums(session, erp, day, buckets=spec, basis=how)
        if sums is None:
            raise _missing(erp)
        names = erp_store.customer_names(session, erp)
    _print_aging(aging_report(sums, day, names=names, buckets=spec, basis=how), fmt)


def _erp(ctx: Context) -> str:
    return ctx.settings.connectors.erp.name


def _bounds(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise click.BadParameter(f"{text!r}: expected whole days, e.g. 30,60,90") from None


def _aging_row(row: AgingRow, labels: tuple[str, ...]) -> dict[str, str]:
    out = {"customer_id": row.customer_id, "customer_name": row.customer_name}
    out.update((label, format_money(v)) for label, v in zip(labels, row.amounts, strict=True))
    out["total"] = format_money(row.total)
    return out


def _print_aging(report: AgingReport, fmt: str) -> None:
    rows = [_aging_row(r, report.labels) for r in (*report.rows, report.total)]
    columns = ["customer_id", "customer_name", *report.labels, "total"]
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    elif fmt == "json":
        body = {
            "as_of": report.as_of.isoformat(),
            "basis": report.basis.value,
            "buckets": list(report.labels),
            "customers": rows[:-1],
            "total": rows[-1],
        }
        click.echo(json.dumps(body, indent=2))
    else:
        _print_table(columns, rows)


def _print_table(columns: list[str], rows: list[dict[str, str]]) -> None:
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in columns}
    text_columns = {"customer_id", "customer_name"}

    def line(values: dict[str, str]) -> str:
        cells = (
            values[c].ljust(widths[c]) if c in text_columns else values[c].rjust(widths[c])
            for c in columns
        )
        return "  ".join(cells).rstrip()

    click.echo(line({c: c for c in columns}))
    for r in rows:
        click.echo(line(r))


@ar.command("kpis")
@_AS_OF
@click.option(
    "--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True
)
@click.option(
    "--period-days",
    type=click.IntRange(min=1),
    default=None,
    help="Days of the DSO/CEI period ending on --as-of (default ar.kpi_period_days).",
)
@click.pass_obj
def kpis(ctx: Context, as_of: datetime | None, fmt: str, period_days: int | None) -> None:
    """Past-due shares, invoices over 90 days, DSO, average days delinquent and CEI."""
    from arbridge.store import ar_period, ar_sums  # noqa: PLC0415 - the store only when used

    day, erp = as_of.date() if as_of else _today(), _erp(ctx)
    days = period_days or ctx.settings.ar.kpi_period_days
    with ctx.app.store.transaction() as session:
        totals = ar_sums.kpi_totals(session, erp, day)
        if totals is None:
            raise _missing(erp)
        facts = ar_period.period_facts(session, erp, day, days)
    result = kpis_of(totals, day, facts)
    body = kpis_json(result)
    body["guardrails"] = [
        {"kpi": c.kpi, "value": c.value, "target": c.target, "breached": c.breached}
        for c in check(result, targets_of(ctx))
    ]
    if fmt == "json":
        click.echo(json.dumps(body, indent=2))
        return
    for key, value in body.items():
        if key != "guardrails":
            click.echo(f"{key:>30}: {'-' if value is None else value}")
    for c in check(result, targets_of(ctx)):
        click.echo(f"{'guardrail':>30}: {c.describe()}")


def targets_of(ctx: Context) -> Targets:
    """The guardrail targets of the config."""
    t = ctx.settings.ar.targets
    return Targets(t.past_due_share, t.past_due_over_20_days_share, t.invoices_over_90_days)


for _command in (*COLLECTION_COMMANDS, *MAIL_COMMANDS):
    ar.add_command(_command)
