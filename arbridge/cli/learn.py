"""`arbridge learn`: payer names and bank accounts learned from history, for an admin to approve."""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from arbridge.cli.backtest import STATEMENTS, statement_lines
from arbridge.domain.errors import BadInputError, SourceLocation
from arbridge.domain.records import BankLine
from arbridge.matching import PayerHints
from arbridge.matching.learning import propose_links
from arbridge.store import payer_links
from arbridge.store.recorded_history import recorded_payers

if TYPE_CHECKING:
    from arbridge.cli import Context

COLUMNS = ("bank_transaction_id", "customer_id")


@click.group()
def learn() -> None:
    """Propose payer links from history; nothing takes effect until an admin approves it."""


@learn.command("propose")
@click.option(
    "--history",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Applications actually posted (applications.csv layout, with customer_id).",
)
@click.option(
    "--from-erp",
    is_flag=True,
    help="Learn from the payments people recorded in the ERP and the bank lines they record "
    "(lines found misapplied left out).",
)
@STATEMENTS
@click.option("--min-seen", type=int, default=2, show_default=True, help="Times a link must recur.")
@click.pass_obj
def propose(
    ctx: Context,
    history: Path | None,
    from_erp: bool,
    statements: tuple[Path, ...],
    min_seen: int,
) -> None:
    """Store the payer names and bank accounts history ties to one customer, as proposals."""
    if history is None and not from_erp:
        raise click.UsageError("give --history FILE, --from-erp, or both")
    try:
        pairs = _from_history(ctx, history, statements) if history is not None else []
    except BadInputError as exc:
        click.echo(f"arbridge: {exc}", err=True)
        sys.exit(1)
    erp, now = ctx.settings.connectors.erp.name, datetime.now(UTC)
    with ctx.app.store.transaction() as session:
        if from_erp:
            pairs += recorded_payers(session, erp)
        known = payer_links.load_links(session, erp)
        hints = PayerHints(accounts=known.accounts, aliases=known.aliases)
        found = propose_links(pairs, hints, min_seen=min_seen)
        stored = [
            p
            for p in found
            if payer_links.propose(
                session, erp, kind=p.kind.value, key=p.value, customer_id=p.customer_id, now=now
            )
        ]
    click.echo(f"{len(pairs)} history lines read; {len(stored)} new proposal(s)")
    for p in stored:
        click.echo(f"  {p.kind.value}:{p.value} -> {p.customer_id} (seen {p.seen} times)")
    if stored:
        click.echo("approve with: arbridge learn approve KIND:KEY ... (or --all)")


def _from_history(
    ctx: Context, history: Path, statements: tuple[Path, ...]
) -> list[tuple[BankLine, str]]:
    """The statement lines the applications file names, each with its one customer."""
    paid = _customers_by_line(history)
    lines = statement_lines(ctx.settings, statements)
    return [(line, paid[line.bank_id]) for line in lines if line.bank_id in paid]


@learn.command("list")
@click.pass_obj
def list_proposals(ctx: Context) -> None:
    """The proposals waiting for an admin."""
    with ctx.app.store.transaction() as session:
        rows = payer_links.proposals(session, ctx.settings.connectors.erp.name)
        shown = [f"{r.kind}:{r.key} -> {r.customer_id}" for r in rows]
    click.echo("\n".join(shown) if shown else "no proposals waiting")


@learn.command("approve")
@click.argument("links", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Approve every waiting proposal.")
@click.pass_obj
def approve(ctx: Context, links: tuple[str, ...], everything: bool) -> None:
    """Let proposals take effect: matching uses them from the next cycle."""
    erp, now = ctx.settings.connectors.erp.name, datetime.now(UTC)
    with ctx.app.store.transaction() as session:
        wanted = (
            [(r.kind, r.key) for r in payer_links.proposals(session, erp)]
            if everything
            else [_link(text) for text in links]
        )
        missing = [
            f"{k}:{v}"
            for k, v in wanted
            if not payer_links.approve(session, erp, kind=k, key=v, now=now)
        ]
    if missing:
        raise click.ClickException(f"no such proposal: {', '.join(missing)}")
    click.echo(f"{len(wanted)} link(s) approved")


@learn.command("reject")
@click.argument("links", nargs=-1, required=True)
@click.pass_obj
def reject(ctx: Context, links: tuple[str, ...]) -> None:
    """Drop proposals (they may be proposed again by a later history)."""
    erp = ctx.settings.connectors.erp.name
    with ctx.app.store.transaction() as session:
        waiting = {(r.kind, r.key) for r in payer_links.proposals(session, erp)}
        for kind, key in (_link(text) for text in links):
            if (kind, " ".join(key.split())) in waiting:
                payer_links.forget(session, erp, kind=kind, key=key)
    click.echo(f"{len(links)} proposal(s) rejected")


def _link(text: str) -> tuple[str, str]:
    kind, sep, key = text.partition(":")
    if not sep or kind not in (payer_links.ACCOUNT, payer_links.ALIAS) or not key.strip():
        raise click.BadParameter(f"{text!r}: expected account:NUMBER or alias:NAME")
    return kind, key


def _customers_by_line(path: Path) -> dict[str, str]:
    """Bank id -> the one customer its cash went to (lines paid to several customers are left out)."""
    seen: defaultdict[str, set[str]] = defaultdict(set)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            where = [SourceLocation(file=str(path), line=1, field=c) for c in missing]
            raise BadInputError("history lacks column(s)", *where)
        for row in reader:
            bank_id, customer = row["bank_transaction_id"].strip(), row["customer_id"].strip()
            if bank_id and customer:
                seen[bank_id].add(customer)
    return {bank_id: next(iter(c)) for bank_id, c in seen.items() if len(c) == 1}


__all__ = ["learn"]
