"""The `arbridge` command line."""

from __future__ import annotations

import importlib
import sys
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import click

from arbridge import __version__
from arbridge.domain.errors import ArbridgeError, ConfigError

if TYPE_CHECKING:
    from arbridge.app import App
    from arbridge.config import ArbridgeSettings

# Subcommands are imported when used: `arbridge bank read` should not pay for the
# store, the scheduler and the web page (seconds of imports) to print a statement.
_LAZY = {
    "ar": "arbridge.cli.ar:ar",
    "audit": "arbridge.cli.audit:audit",
    "backtest": "arbridge.cli.backtest:backtest",
    "bank": "arbridge.cli.bank:bank",
    "clearing": "arbridge.cli.clearing:clearing",
    "commissions": "arbridge.cli.commissions:commissions",
    "deposits": "arbridge.cli.deposits:deposits",
    "doctor": "arbridge.cli.doctor:doctor",
    "learn": "arbridge.cli.learn:learn",
    "review": "arbridge.cli.review:review",
    "run": "arbridge.cli.daemon:run",
    "status": "arbridge.cli.daemon:status",
    "tax": "arbridge.cli.tax:tax",
    "user": "arbridge.cli.user:user",
}

EXIT_CONFIG = 2
EXIT_FAILED = 1


class Context:
    """Lazily loaded settings and app, shared by subcommands."""

    def __init__(self, config_path: Path) -> None:
        self.config_path = config_path

    @cached_property
    def settings(self) -> ArbridgeSettings:
        """Load (and validate) the config; bad config exits 2 listing every problem."""
        from arbridge.app.logs import configure_logging  # noqa: PLC0415
        from arbridge.config import load_settings  # noqa: PLC0415

        try:
            settings = load_settings(self.config_path)
        except ConfigError as exc:
            click.echo(f"arbridge: {exc}", err=True)
            sys.exit(EXIT_CONFIG)
        configure_logging(settings.logging.level, settings.logging.format)
        return settings

    @cached_property
    def app(self) -> App:
        """The composed application (store opened and migrated)."""
        from arbridge.app import build_app  # noqa: PLC0415

        return build_app(self.settings)

    def close(self) -> None:
        """Release the store's connections if a command opened it."""
        if "app" in self.__dict__:
            self.app.store.dispose()


pass_context = click.make_pass_decorator(Context)


class _Cli(click.Group):
    """The root group: subcommands loaded on use; known errors become one line and exit 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *_LAZY])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _LAZY:
            return super().get_command(ctx, cmd_name)
        module, _, attr = _LAZY[cmd_name].partition(":")
        command = getattr(importlib.import_module(module), attr)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ArbridgeError as exc:
            import structlog  # noqa: PLC0415

            structlog.get_logger("arbridge").error("command_failed", error=str(exc))
            click.echo(f"arbridge: {exc}", err=True)
            ctx.exit(EXIT_FAILED)


@click.group(cls=_Cli)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default="arbridge.yaml",
    envvar="ARBRIDGE_CONFIG",
    show_default=True,
    help="The YAML configuration file.",
)
@click.version_option(__version__, prog_name="arbridge")
@click.pass_context
def cli(ctx: click.Context, config_path: Path) -> None:
    """arbridge: applies incoming bank cash to ERP invoices and queues the rest for finance."""
    ctx.obj = Context(config_path)
    ctx.call_on_close(ctx.obj.close)


@cli.command("check-config")
@pass_context
def check_config(ctx: Context) -> None:
    """Validate the configuration without starting anything."""
    settings = ctx.settings
    for warning in _missing_inputs(settings):
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{ctx.config_path}: configuration is valid")


def _missing_inputs(settings: ArbridgeSettings) -> list[str]:
    from arbridge.config import CsvErpSettings  # noqa: PLC0415

    erp = settings.connectors.erp
    paths = [(b.name, b.path) for b in settings.connectors.bank]
    if isinstance(erp, CsvErpSettings):
        paths += [(erp.name, erp.customers), (erp.name, erp.invoices)]
    return [f"{name}: {path} does not exist (yet)" for name, path in paths if not path.exists()]


@cli.group("config")
def config_group() -> None:
    """Configuration helpers."""


@config_group.command("schema")
def config_schema() -> None:
    """Print the JSON Schema of the configuration file (for editors)."""
    from arbridge.config import settings_json_schema  # noqa: PLC0415

    click.echo(settings_json_schema())


@cli.group()
def db() -> None:
    """Store maintenance."""


@db.command("upgrade")
@pass_context
def db_upgrade(ctx: Context) -> None:
    """Apply the store's migrations up to this version."""
    from arbridge.app import open_store  # noqa: PLC0415
    from arbridge.store import current_revision, upgrade  # noqa: PLC0415

    store = open_store(ctx.settings, migrate=False)
    try:
        upgrade(store.engine)
        click.echo(f"store at revision {current_revision(store.engine)}")
    finally:
        store.dispose()


@db.command("status")
@pass_context
def db_status(ctx: Context) -> None:
    """Show the store's migration revision."""
    from arbridge.app import open_store  # noqa: PLC0415
    from arbridge.store import current_revision, head_revision, is_up_to_date  # noqa: PLC0415

    store = open_store(ctx.settings, migrate=False)
    try:
        fresh = is_up_to_date(store.engine)
        state = "up to date" if fresh else f"needs upgrade to {head_revision(store.engine)}"
        click.echo(f"store at revision {current_revision(store.engine)}: {state}")
    finally:
        store.dispose()


def main() -> None:
    """Console-script entry point."""
    cli()
