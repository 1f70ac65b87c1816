"""`arbridge review ...`: the review queue from a terminal or a script."""

from __future__ import annotations

import csv
import getpass
import json
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import click

from arbridge.cli._guard import guard
from arbridge.cli.review_state import STATE_COMMANDS
from arbridge.domain.money import format_money, parse_money
from arbridge.domain.review import ReviewReason, ReviewStatus
from arbridge.review import ReviewItemView
from arbridge.review.limits import WriteOffPolicy
from arbridge.review.resolutions import Resolver

if TYPE_CHECKING:
    from arbridge.cli import Context

CSV_COLUMNS = (
    "item_id",
    "bank_transaction_id",
    "reason",
    "amount",
    "customer_id",
    "suggested_invoice_ids",
    "status",
    "assignee",
    "created_at",
    "message",
    "erp_payment_ids",
)

_T = TypeVar("_T")


def _row(item: ReviewItemView) -> dict[str, str]:
    return {
        "item_id": str(item.item_id),
        "bank_transaction_id": item.bank_transaction_id or "",
        "reason": item.reason,
        "amount": format_money(item.amount) if item.amount is not None else "",
        "customer_id": item.customer_id or "",
        "suggested_invoice_ids": " ".join(item.suggested_invoice_ids),
        "status": item.status,
        "assignee": item.assignee or "",
        "created_at": item.created_at.isoformat(timespec="seconds"),
        "message": item.message,
        "erp_payment_ids": " ".join(item.erp_payment_ids),
    }


@click.group()
def review() -> None:
    """Work the review queue."""


@review.command("list")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option(
    "--reason", type=click.Choice([r.value for r in ReviewReason]), help="Only this reason."
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([s.value for s in ReviewStatus]),
    help="States to show (repeatable); default open and assigned.",
)
@click.option("--customer", "customer_id", default=None, help="Only this customer's items.")
@click.option("--assignee", default=None, help="Only items assigned to this person (- for nobody).")
@click.option(
    "--min-amount", type=Decimal, default=None, help="Only items of at least this amount."
)
@click.option("--max-amount", type=Decimal, default=None, help="Only items of at most this amount.")
@click.option(
    "--older-than",
    type=click.IntRange(min=0),
    default=None,
    metavar="DAYS",
    help="Only items opened at least this many days ago.",
)
@click.option("--limit", type=click.IntRange(min=1), default=100_000, show_default=True)
@click.pass_obj
def list_items(
    ctx: Context, /, fmt: str, statuses: tuple[str, ...], older_than: int | None, **narrow: Any
) -> None:
    """List review items (open and assigned by default), oldest first."""
    if statuses:
        narrow["statuses"] = statuses
    if older_than is not None:
        narrow["created_before"] = datetime.now(UTC) - timedelta(days=older_than)
    rows = [_row(item) for item in ctx.app.queue.open_items(**narrow)]
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    elif fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    else:
        for r in rows:
            click.echo(
                f"#{r['item_id']:>5} {r['reason']:<20} {r['amount']:>12} {r['bank_transaction_id']:<20} "
                f"{r['customer_id']:<12} {r['suggested_invoice_ids']:<24} {r['message']}"
            )
        click.echo(f"{len(rows)} item(s)")


@review.command("show")
@click.argument("item_id", type=int)
@click.pass_obj
def show(ctx: Context, item_id: int) -> None:
    """Show one item, its suggestions and its audit trail."""
    item, trail = guard(lambda: ctx.app.queue.show(item_id))
    for key, value in _row(item).items():
        click.echo(f"{key:>22}: {value}")
    for n, s in enumerate(item.suggestions, 1):
        click.echo(
            f"  suggestion {n}: {' '.join(s['invoice_ids'])} ({s['customer_id']}): {s['explanation']}"
        )
    for event in trail:
        note = f" - {event['comment']}" if event["comment"] else ""
        click.echo(f"  {event['at']:%Y-%m-%d %H:%M} {event['actor']}: {event['action']}{note}")


@review.command("resolve")
@click.argument("item_id", type=int)
@click.option(
    "--invoice",
    "invoices",
    multiple=True,
    required=True,
    metavar="INVOICE:AMOUNT",
    help="Apply this amount to this invoice; repeat to split (amounts must add up).",
)
@click.option("--as", "actor", default=getpass.getuser, help="Who is acting (default: you).")
@click.pass_obj
def resolve(ctx: Context, item_id: int, invoices: tuple[str, ...], actor: str) -> None:
    """Apply the item's payment to invoices; the daemon posts it on its next cycle."""
    chosen = [_allocation(text) for text in invoices]
    key = guard(lambda: _resolver(ctx).apply(item_id, chosen, actor=actor))
    click.echo(f"item {item_id} resolved; queued for the ERP as {key}")


@review.command("write-off")
@click.argument("item_id", type=int)
@click.option("--invoice", required=True, help="The invoice the short payment is for.")
@click.option("--reason", required=True, help="Deduction reason code (review.write_off_reasons).")
@click.option("--as", "actor", default=getpass.getuser, help="Who is acting (default: you).")
@click.pass_obj
def write_off(ctx: Context, item_id: int, invoice: str, reason: str, actor: str) -> None:
    """Apply a short payment and write off the rest, within review.write_off_limit."""
    key = guard(lambda: _resolver(ctx).write_off(item_id, invoice, reason, actor=actor))
    click.echo(f"item {item_id} resolved with a write-off; queued for the ERP as {key}")


@review.command("refund")
@click.argument("item_id", type=int)
@click.option(
    "--customer", default=None, help="Whose credit to refund from (omit: not a customer)."
)
@click.option("--as", "actor", default=getpass.getuser, help="Who is acting (default: you).")
@click.pass_obj
def refund(ctx: Context, item_id: int, customer: str | None, actor: str) -> None:
    """Mark the payment for refund (a customer's: posted as their credit first)."""
    key = guard(lambda: _resolver(ctx).refund(item_id, customer, actor=actor))
    posted = f"; credit queued for the ERP as {key}" if key else "; nothing posted"
    click.echo(f"item {item_id} marked for refund{posted}")


@review.command("on-account")
@click.argument("item_id", type=int)
@click.option("--customer", required=True, help="Whose account the payment goes on.")
@click.option("--as", "actor", default=getpass.getuser, help="Who is acting (default: you).")
@click.pass_obj
def on_account(ctx: Context, item_id: int, customer: str, actor: str) -> None:
    """Put the whole payment on the customer's account as unapplied credit."""
    key = guard(lambda: _resolver(ctx).on_account(item_id, customer, actor=actor))
    click.echo(f"item {item_id} resolved; credit for {customer} queued for the ERP as {key}")


@review.command("not-ar")
@click.argument("item_id", type=int)
@click.option("--category", required=True, help="What the money is: interest, own transfer...")
@click.option("--as", "actor", default=getpass.getuser, help="Who is acting (default: you).")
@click.pass_obj
def not_ar(ctx: Context, item_id: int, category: str, actor: str) -> None:
    """Set the line aside as not customer cash; nothing is posted to the ERP."""
    guard(lambda: _resolver(ctx).not_receivable(item_id, category, actor=actor))
    click.echo(f"item {item_id} resolved as not receivable ({category})")


@review.command("correct")
@click.argument("target", metavar="ITEM_OR_BANK_ID")
@click.option(
    "--invoice",
    "invoices",
    multiple=True,
    metavar="INVOICE:AMOUNT",
    help="Re-apply this amount to this invoice; repeat to split (amounts must add up). "
    "Without it, a payment a person recorded is re-applied as the engine suggests.",
)
@click.option(
    "--reverse",
    "reverse",
    multiple=True,
    metavar="PAYMENT_ID",
    help="Only these ERP payments of the item (default: all); alone, keeps the others.",
)
@click.option("--reason", required=True, help="Why the posted application was wrong.")
@click.option("--as", "actor", default=getpass.getuser, help="Who is acting (default: you).")
@click.pass_obj
def correct(
    ctx: Context,
    target: str,
    *,
    invoices: tuple[str, ...],
    reverse: tuple[str, ...],
    reason: str,
    actor: str,
) -> None:
    """Reverse a posted application (or a payment recorded in the ERP) and re-apply the payment.

    ITEM_OR_BANK_ID is a review item id (a number), a bank transaction id, or an
    application's idempotency key; write item:N or bank:ID when a number could be either.
    A suspected misapplication of a payment a person recorded in the ERP reverses that
    payment; the daemon posts the reversal, then the re-application, each once.
    """
    chosen = [_allocation(text) for text in invoices]
    found = _target(target)
    resolver = _resolver(ctx)
    if isinstance(found, int) and (not chosen or resolver.recorded_fix(found) is not None):
        keys = guard(
            lambda: resolver.correct_recorded(
                found, chosen, actor=actor, reason=reason, reverse=reverse
            )
        )
        click.echo(f"correction queued for the ERP: {', '.join(keys)} (in that order)")
        return
    if not chosen:
        raise click.UsageError("give --invoice INVOICE:AMOUNT (what the payment should pay)")
    first, then = guard(lambda: resolver.correct(found, chosen, actor=actor, reason=reason))
    click.echo(f"correction queued for the ERP: {first}, then {then}")


def _target(text: str) -> int | str:
    kind, colon, rest = text.partition(":")
    if colon and kind == "item" and rest.isdigit():
        return int(rest)
    if colon and kind == "bank":
        return rest
    return int(text) if text.isdigit() else text


def _resolver(ctx: Context) -> Resolver:
    review_settings = ctx.settings.review
    policy = WriteOffPolicy(review_settings.write_off_limit, review_settings.write_off_reasons)
    return Resolver(ctx.app.store, ctx.settings.connectors.erp.name, write_off=policy)


def _allocation(text: str) -> tuple[str, Decimal]:
    invoice, _, amount = text.rpartition(":")
    try:
        return invoice, parse_money(amount)
    except ValueError:
        raise click.BadParameter(f"{text!r}: expected INVOICE:AMOUNT") from None


for _command in STATE_COMMANDS:
    review.add_command(_command)
