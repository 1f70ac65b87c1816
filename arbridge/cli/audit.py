"""`arbridge audit`: arbridge's ledger reconciled against the ERP's; exit 1 on any finding."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from arbridge.connectors.errors import ConnectorError
from arbridge.scheduler.audit import record_findings, run_audit

if TYPE_CHECKING:
    from arbridge.cli import Context


@click.command()
@click.option(
    "--open-items",
    is_flag=True,
    help="Also open a ledger_mismatch review item per finding (as the daemon's daily audit does).",
)
@click.pass_obj
def audit(ctx: Context, open_items: bool) -> None:
    """Reconcile arbridge's ledger against the ERP (applications.csv for the csv ERP).

    Reports lines or invoices over-applied, outbox entries marked rejected whose key the
    ERP holds, postings under arbridge's keys the store does not know, and entries marked
    sent that the ERP does not hold. Exit 1 on any finding, 0 when clean.
    """
    deps = ctx.app.cycle_deps()
    try:
        report = run_audit(ctx.app.store, deps.erp)
    except ConnectorError as exc:
        raise click.ClickException(f"cannot read the ERP: {exc}") from None
    for line in report.render():
        click.echo(line)
    if report.erp_records is None:
        click.echo(
            f"note: the ERP connector {deps.erp.name} cannot list its postings; "
            "only the store's own checks ran"
        )
    if open_items and report.findings:
        new = record_findings(ctx.app.store, report, datetime.now(UTC))
        click.echo(f"{new} review item(s) opened")
    if report.findings:
        ctx.close()
        raise SystemExit(1)
