"""`arbridge backtest`: replay posted history through the current matching rules."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from arbridge.app import build_erp, match_settings
from arbridge.app.profiles import csv_profile
from arbridge.config import ArbridgeSettings
from arbridge.connectors.bank import read_statement
from arbridge.domain.errors import BadInputError, SourceLocation
from arbridge.domain.money import format_money, parse_money
from arbridge.domain.records import BankLine
from arbridge.matching import MatchContext, match_lines
from arbridge.matching.backtest import BacktestReport, PostedRow, compare, replay_invoices
from arbridge.matching.misapplied import find_misapplications

if TYPE_CHECKING:
    from arbridge.cli import Context

HISTORY_COLUMNS = ("bank_transaction_id", "invoice_id", "amount")
STATEMENTS = click.option(
    "--bank",
    "statements",
    type=click.Path(path_type=Path, exists=True),
    multiple=True,
    help="Statement files or folders of the period (default: every configured bank folder).",
)
"""The statements a history command reads (backtest, learn)."""


@click.command()
@click.option(
    "--history",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    required=True,
    help="Applications actually posted (applications.csv layout).",
)
@STATEMENTS
@click.option("--show", type=int, default=20, show_default=True, help="Wrong auto-posts to list.")
@click.pass_obj
def backtest(ctx: Context, history: Path, statements: tuple[Path, ...], show: int) -> None:
    """Print precision, recall, what the rules would have auto-posted wrongly, and misapplications."""
    settings = ctx.settings
    try:
        posted = read_history(history)
        lines = statement_lines(settings, statements)
    except BadInputError as exc:
        click.echo(f"arbridge: {exc}", err=True)
        sys.exit(1)
    erp = build_erp(settings)
    customers = {c.customer_id: c for c in erp.fetch_customers()}
    current = list(erp.fetch_invoices())
    engine = match_settings(settings.matching)
    replayed = MatchContext(customers=customers, invoices=replay_invoices(current, posted))
    _print(compare(match_lines(lines, replayed, engine), posted), show)
    findings = find_misapplications(
        lines, posted, MatchContext(customers=customers, invoices=current), engine
    )
    click.echo(f"suspected misapplications in the history: {len(findings)}")
    for finding in findings[:show]:
        fix = (
            f" -> suggest {' '.join(finding.suggestions[0].invoice_ids)}"
            if finding.suggestions
            else ""
        )
        click.echo(f"MISAPPLIED {finding.line.bank_id}: {finding.explanation}{fix}")


def read_history(path: Path) -> list[PostedRow]:
    """Rows of an applications.csv; a bad row names file, line and field."""
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in HISTORY_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise BadInputError(
                "history lacks column(s)",
                *(SourceLocation(file=str(path), line=1, field=c) for c in missing),
            )
        for row in reader:
            rows.append(_posted(path, reader.line_num, row))
    return rows


def _posted(path: Path, line: int, row: dict[str, str]) -> PostedRow:
    values = {}
    for name in ("amount", "adjustment"):
        text = (row.get(name) or "0").strip()
        try:
            values[name] = parse_money(text)
        except ValueError:
            where = SourceLocation(file=str(path), line=line, field=name, value=text)
            raise BadInputError(f"{name} is not an amount", where) from None
    return PostedRow(
        bank_id=row["bank_transaction_id"].strip(),
        invoice_id=row["invoice_id"].strip() or None,
        amount=values["amount"],
        adjustment=values["adjustment"],
    )


def statement_lines(settings: ArbridgeSettings, statements: tuple[Path, ...]) -> list[BankLine]:
    """The lines of these statements (else of every configured bank folder), read as the first source."""
    sources = settings.connectors.bank
    if not sources:
        raise click.UsageError("no bank source configured")
    source = sources[0]
    profile = csv_profile(source.csv) if source.csv else None
    paths = list(statements) or [s.path for s in sources]
    files = [
        f
        for p in paths
        for f in (sorted(x for x in p.iterdir() if x.is_file()) if p.is_dir() else [p])
    ]
    return [
        line
        for f in files
        for line in read_statement(
            f, account=source.name, currency=source.currency, csv_profile=profile
        )
    ]


def _print(report: BacktestReport, show: int) -> None:
    click.echo(
        f"credit lines: {report.lines}; with posted history: {report.with_history}; "
        f"engine would auto-post {report.auto_posted}"
    )
    click.echo(
        f"precision {report.precision:.2%} ({report.right} right, {len(report.wrong)} wrong); "
        f"recall {report.recall:.2%} of lines with history"
    )
    if report.without_history:
        click.echo(f"auto-posted where history has nothing: {len(report.without_history)}")
    if report.reviewed:
        click.echo(
            "to review: " + ", ".join(f"{k} {v}" for k, v in sorted(report.reviewed.items()))
        )
    for miss in report.wrong[:show]:
        engine = " ".join(f"{i or 'credit'}={format_money(a)}" for i, a in miss.engine)
        actual = " ".join(f"{i or 'credit'}={format_money(a)}" for i, a in miss.actual)
        click.echo(f"WRONG {miss.bank_id}: engine {engine}; posted {actual} ({miss.explanation})")
