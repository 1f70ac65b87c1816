"""`arbridge user add|list|disable|enable`: the people who may log in to the web page."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from arbridge.store import users

if TYPE_CHECKING:
    from arbridge.cli import Context


@click.group()
def user() -> None:
    """Web page users."""


@user.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["viewer", "collector", "clerk", "admin", "sales_manager"]),
    default="clerk",
    show_default=True,
)
@click.option(
    "--password-file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Read the password from this file instead of asking.",
)
@click.pass_obj
def add(ctx: Context, name: str, role: str, password_file: Path | None) -> None:
    """Create a user (or reset their password and role, ending their sessions)."""
    if password_file is not None:
        password = password_file.read_text(encoding="utf-8").strip()
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 10:  # noqa: PLR2004 - the one place this rule lives
        raise click.ClickException("use a password of at least 10 characters")
    from arbridge.web.auth import add_user  # noqa: PLC0415 - argon2 only for this command

    add_user(ctx.app.store, name, password, role)
    click.echo(f"user {name} ({role}) saved")


@user.command("list")
@click.pass_obj
def list_users(ctx: Context) -> None:
    """Every user, their role, and whether they are disabled."""
    with ctx.app.store.transaction() as session:
        for row in users.all_users(session):
            click.echo(f"{row.name}\t{row.role}" + ("\tdisabled" if row.disabled else ""))


@user.command("disable")
@click.argument("name")
@click.pass_obj
def disable(ctx: Context, name: str) -> None:
    """Stop a user from logging in, and end their sessions at once."""
    with ctx.app.store.transaction() as session:
        if not users.set_disabled(session, name, True):
            raise click.ClickException(f"there is no user {name!r}")
    click.echo(f"user {name} disabled; their sessions have ended")


@user.command("enable")
@click.argument("name")
@click.pass_obj
def enable(ctx: Context, name: str) -> None:
    """Let a disabled user log in again."""
    with ctx.app.store.transaction() as session:
        if not users.set_disabled(session, name, False):
            raise click.ClickException(f"there is no user {name!r}")
    click.echo(f"user {name} enabled")
