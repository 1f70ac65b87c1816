"""Read any statement file: detect its format from content, then use that format's reader."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from arbridge.connectors.bank._notes import strict_notes
from arbridge.connectors.bank.containers import is_container, open_container
from arbridge.connectors.bank.csv_reader import CsvProfile, read_csv_statement
from arbridge.connectors.bank.detect import StatementFormat, detect_format
from arbridge.domain.errors import BadInputError, SourceLocation
from arbridge.domain.records import BankLine

_HEAD_BYTES = 4096

# Imported when a file of the format arrives: `bank read` of one OFX file starts faster.
_READERS = {
    StatementFormat.OFX: ("ofx_reader", "read_ofx_statement"),
    StatementFormat.CAMT: ("camt_reader", "read_camt_statement"),
    StatementFormat.BAI2: ("bai2_reader", "read_bai2_statement"),
    StatementFormat.MT940: ("mt940_reader", "read_mt940_statement"),
    StatementFormat.NORMA43: ("norma43_reader", "read_norma43_statement"),
}
_Reader = Callable[..., list[BankLine]]


def read_statement(
    path: Path,
    *,
    account: str,
    currency: str,
    csv_profile: CsvProfile | None,
    data: bytes | None = None,
    strict: bool = False,
) -> list[BankLine]:
    """Parse one statement file of any known format, all lines or none.

    A ZIP or gzip container is read member by member (each named
    `archive.zip!member`), its lines in archive order. `data`, when given, is
    the file's content (a container's member); `path` then only names it. With
    `strict`, what a reader would only note (a BAI2 control total that does not
    add up) rejects the file.

    Raises:
        BadInputError: unknown format, a CSV without a profile, a refused
            container, or a bad file; the error names file, line and field.
    """
    with strict_notes(strict):
        return _read(path, account=account, currency=currency, csv_profile=csv_profile, data=data)


def _read(
    path: Path, *, account: str, currency: str, csv_profile: CsvProfile | None, data: bytes | None
) -> list[BankLine]:
    raw = path.read_bytes() if data is None else data
    if is_container(raw[:4]):
        if data is not None:
            raise BadInputError("an archive inside an archive is not read", _at(path))
        lines: list[BankLine] = []
        for member in open_container(path, raw):
            lines += _read(
                member.path,
                account=account,
                currency=currency,
                csv_profile=csv_profile,
                data=member.data,
            )
        return lines
    return _read_plain(path, raw, account=account, currency=currency, csv_profile=csv_profile)


def _read_plain(
    path: Path, raw: bytes, *, account: str, currency: str, csv_profile: CsvProfile | None
) -> list[BankLine]:
    head = raw[:_HEAD_BYTES]
    fmt = detect_format(path, head)
    if fmt is StatementFormat.CSV:
        profile = csv_profile or _preset(path, raw)
        if profile is None:
            raise BadInputError(
                f"a CSV statement arrived but source {account!r} has no 'csv' profile configured "
                "and the file fits no preset (`arbridge bank sniff FILE` proposes one)",
                SourceLocation(file=str(path)),
            )
        return read_csv_statement(path, profile, account=account, currency=currency, data=raw)
    where = _READERS.get(fmt)
    if where is None:
        hint = (
            " (NUL bytes: UTF-16 without a byte-order mark, or binary)" if b"\x00" in head else ""
        )
        raise BadInputError(
            "not a statement format arbridge reads "
            "(OFX/QFX, camt.052/053/054, BAI2, MT940, Norma 43, CSV; in ZIP or gzip too)" + hint,
            _at(path),
        )
    module = importlib.import_module(f"arbridge.connectors.bank.{where[0]}")
    reader: _Reader = getattr(module, where[1])
    return reader(path, account=account, currency=currency, data=raw)


def _preset(path: Path, raw: bytes) -> CsvProfile | None:
    """Without a configured profile, the preset whose header the file has (exactly one)."""
    from arbridge.connectors.bank.csv_presets import sniff_preset  # noqa: PLC0415 - CSV only

    found = sniff_preset(path, raw)
    return found.profile if found else None


def _at(path: Path) -> SourceLocation:
    return SourceLocation(file=str(path), line=1)
