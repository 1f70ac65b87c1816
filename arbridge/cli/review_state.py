"""`arbridge review assign|dismiss|reopen|comment`: state changes, several items at once."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING

import click

from arbridge.cli._guard import guard

if TYPE_CHECKING:
    from arbridge.cli import Context

_ITEMS = click.argument("item_ids", type=int, nargs=-1, required=True, metavar="ITEM...")
_ACTOR = click.option(
    "--as", "actor", default=getpass.getuser, help="Who is acting (default: you)."
)


@click.command("assign")
@_ITEMS
@click.option("--to", "assignee", required=True, help="Who takes the items.")
@_ACTOR
@click.pass_obj
def assign(ctx: Context, item_ids: tuple[int, ...], assignee: str, actor: str) -> None:
    """Assign items to a person."""
    _report(
        ctx.app.queue.bulk(item_ids, "assign", actor=actor, assignee=assignee),
        item_ids,
        f"assigned to {assignee}",
    )


@click.command("dismiss")
@_ITEMS
@click.option("--comment", required=True, help="Why nothing needs doing.")
@_ACTOR
@click.pass_obj
def dismiss(ctx: Context, item_ids: tuple[int, ...], comment: str, actor: str) -> None:
    """Close items without action."""
    _report(
        ctx.app.queue.bulk(item_ids, "dismiss", actor=actor, comment=comment), item_ids, "dismissed"
    )


@click.command("reopen")
@click.argument("item_id", type=int)
@click.option("--comment", default=None, help="Why it is back.")
@_ACTOR
@click.pass_obj
def reopen(ctx: Context, item_id: int, comment: str | None, actor: str) -> None:
    """Bring a resolved or dismissed item back to the queue."""
    guard(lambda: ctx.app.queue.reopen(item_id, actor=actor, comment=comment))
    click.echo(f"item {item_id} reopened")


@click.command("comment")
@click.argument("item_id", type=int)
@click.argument("text")
@_ACTOR
@click.pass_obj
def comment(ctx: Context, item_id: int, text: str, actor: str) -> None:
    """Add a comment to an item's trail without changing it."""
    guard(lambda: ctx.app.queue.comment(item_id, text, actor=actor))
    click.echo(f"comment added to item {item_id}")


def _report(refused: list[str], item_ids: tuple[int, ...], done: str) -> None:
    """One line for what was done; each refusal on stderr, and exit 1 if there was any."""
    click.echo(f"{len(item_ids) - len(refused)} of {len(item_ids)} item(s) {done}")
    for reason in refused:
        click.echo(f"arbridge: {reason}", err=True)
    if refused:
        raise click.exceptions.Exit(1)


STATE_COMMANDS = (assign, dismiss, reopen, comment)
