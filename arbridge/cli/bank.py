"""`arbridge bank ...`: read statements and propose CSV profiles, without touching the store."""

from __future__ import annotations

import csv
import gc
import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from arbridge.config import FolderBankSettings
    from arbridge.connectors.bank import CsvProfile

from arbridge.connectors.bank import collect_notes, read_statement
from arbridge.domain.errors import BadInputError
from arbridge.domain.records import BankLine

_COLUMNS = (
    "bank_id",
    "account",
    "booked_on",
    "amount",
    "currency",
    "payer_name",
    "payer_account",
    "description",
    "references",
    "source_line",
)


@click.group()
def bank() -> None:
    """Bank statements: read a file as arbridge sees it, or propose a CSV profile."""


@bank.command("read")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--format", "output", type=click.Choice(["csv", "json"]), default="csv")
@click.option("--profile", default=None, help="Bank source whose CSV profile and currency to use.")
@click.option("--currency", default=None, help="Currency of lines whose file names none.")
@click.option("--strict", is_flag=True, help="Reject a file whose control totals do not add up.")
@click.pass_context
def read(  # noqa: PLR0917 - click passes each option
    ctx: click.Context,
    file: Path,
    output: str,
    profile: str | None,
    currency: str | None,
    strict: bool,
) -> None:
    """Print the normalised lines of any statement (ZIP/gzip too); exit 1 naming file/line/field.

    Notes on a file read all the same (a control total that does not add up, a
    clamped date) go to stderr as `arbridge: note: ...`.
    """
    source = _source(ctx, profile) if profile else None
    try:
        with collect_notes() as notes, _no_cycle_collection():
            lines = read_statement(
                file,
                account=source.name if source else "-",
                currency=currency or (source.currency if source else "USD"),
                csv_profile=_profile(source),
                strict=strict or bool(source and source.strict),
            )
    except BadInputError as exc:
        click.echo(f"arbridge: {exc}", err=True)
        sys.exit(1)
    for found in notes:
        click.echo(f"arbridge: note: {found}", err=True)
    _print(lines, output)


@bank.command("sniff")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
def sniff(file: Path) -> None:
    """Name the CSV preset that fits a bank export, or propose a `csv:` profile (YAML) to paste."""
    import yaml  # noqa: PLC0415 - only sniff writes YAML; `bank read` starts faster

    from arbridge.connectors.bank import sniff_csv_profile, sniff_preset  # noqa: PLC0415

    preset = sniff_preset(file)
    if preset is not None:
        click.echo(f"# {file.name} fits the preset {preset.name!r} ({preset.bank})")
        click.echo(yaml.safe_dump({"csv": {"preset": preset.name}}, sort_keys=False), nl=False)
        return
    try:
        proposal = sniff_csv_profile(file)
    except ValueError as exc:
        click.echo(f"arbridge: {exc}", err=True)
        sys.exit(1)
    click.echo(yaml.safe_dump({"csv": proposal}, sort_keys=False, allow_unicode=True), nl=False)


@bank.command("presets")
def presets() -> None:
    """List the CSV presets (`csv: {preset: NAME}`), each with the header it expects."""
    from arbridge.connectors.bank import PRESETS  # noqa: PLC0415 - only this command lists them

    for preset in PRESETS.values():
        click.echo(f"{preset.name}: {preset.bank}\n    {preset.header}")


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Read without the cycle collector (bank lines hold no reference cycles).

    While reading, it would only re-walk the growing list of lines: a seventh of a
    20k-line OFX read.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _profile(source: FolderBankSettings | None) -> CsvProfile | None:
    if source is None or source.csv is None:
        return None
    # arbridge.app builds the whole daemon (store, ERP clients): only when a profile is named
    from arbridge.app.profiles import csv_profile  # noqa: PLC0415

    return csv_profile(source.csv)


def _source(ctx: click.Context, name: str) -> FolderBankSettings:
    from arbridge.config import load_settings  # noqa: PLC0415 (pydantic only when a profile is named)

    config_path = getattr(ctx.obj, "config_path", Path("arbridge.yaml"))
    settings = load_settings(config_path)
    for source in settings.connectors.bank:
        if source.name == name:
            return source
    raise click.BadParameter(f"no bank source named {name!r} in {config_path}")


def _print(lines: list[BankLine], output: str) -> None:
    rows = [_row(line) for line in lines]
    if output == "json":
        click.echo(
            json.dumps(
                [dict(zip(_COLUMNS, r, strict=True)) for r in rows], indent=2, ensure_ascii=False
            )
        )
        return
    # One buffered write of plain tuples: a DictWriter per row cost a fifth of a 20k-line read.
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_COLUMNS)
    writer.writerows(rows)
    sys.stdout.write(buffer.getvalue())


def _row(line: BankLine) -> tuple[object, ...]:
    return (
        line.bank_id,
        line.account,
        line.booked_on.isoformat(),
        f"{line.amount:f}",
        line.currency,
        line.payer_name or "",
        line.payer_account or "",
        line.description,
        " ".join(line.references),
        line.source_line or "",
    )
