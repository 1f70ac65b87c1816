"""`arbridge clearing`: a processor's clearing account, explained payout by payout."""

from __future__ import annotations

import csv
import sys
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import click

from arbridge.domain.money import format_money
from arbridge.store import settlements

if TYPE_CHECKING:
    from arbridge.cli import Context

COLUMNS = ("date", "processor", "payout_id", "event", "amount", "in_transit")


@click.command()
@click.option("--processor", required=True, help="The processor: stripe, shopify.")
@click.option(
    "--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), required=True, help="YYYY-MM-DD."
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "table"]), default="table", show_default=True
)
@click.pass_obj
def clearing(ctx: Context, processor: str, as_of: datetime, fmt: str) -> None:
    """What the processor reported and the bank has not received yet, day by day, payout by payout.

    Each payout is `reported` on its effective date (+) and `deposited` when its bank
    credit was booked (-); `in_transit` is the running balance. The last balance is the
    clearing account as of the date, and the payouts still in it are listed at the end.
    """
    day = as_of.date()
    with ctx.app.store.transaction() as session:
        entries = settlements.clearing(session, processor, day)
    events = settlements.clearing_ledger(entries, day)
    if fmt == "csv":
        _csv(processor, events)
    else:
        _table(processor, events, entries, day)


def _csv(processor: str, events: list[settlements.ClearingEvent]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(COLUMNS)
    for e in events:
        writer.writerow(
            [
                e.day.isoformat(),
                processor,
                e.payout_id,
                e.event,
                format_money(e.amount),
                format_money(e.in_transit),
            ]
        )


def _table(
    processor: str,
    events: list[settlements.ClearingEvent],
    entries: list[settlements.ClearingEntry],
    day: date,
) -> None:
    balance = events[-1].in_transit if events else Decimal("0.00")
    click.echo(f"{processor} clearing account as of {day}")
    click.echo(f"{'date':<10}  {'payout':<28} {'event':<9} {'amount':>14} {'in transit':>14}")
    for e in events:
        click.echo(
            f"{e.day}  {e.payout_id:<28} {e.event:<9} {format_money(e.amount):>14} {format_money(e.in_transit):>14}"
        )
    open_ = settlements.in_transit_on(entries, day)
    click.echo(f"balance {format_money(balance)}: {len(open_)} payout(s) not yet in the bank")
    for x in open_:
        click.echo(
            f"  {x.payout.payout_id}  effective {x.payout.effective_on}  {format_money(x.payout.net)} {x.payout.currency}"
        )
