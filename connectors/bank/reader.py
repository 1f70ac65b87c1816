"""Read any statement file: detect its format from content, then use that format's reader."""

from __future__ import annotations

from pathlib import Path

from arbridge.connectors.bank.bai2_reader import read_bai2_statement
from arbridge.connectors.bank.camt_reader import read_camt_statement
from arbridge.connectors.bank.csv_reader import CsvProfile, read_csv_statement
from arbridge.connectors.bank.detect import StatementFormat, detect_format
from arbridge.connectors.bank.mt940_reader import read_mt940_statement
from arbridge.connectors.bank.ofx_reader import read_ofx_statement
from arbridge.domain.errors import BadInputError, SourceLocation
from arbridge.domain.records import BankLine

_HEAD_BYTES = 4096

_READERS = {
    StatementFormat.OFX: read_ofx_statement,
    StatementFormat.CAMT: read_camt_statement,
    StatementFormat.BAI2: read_bai2_statement,
    StatementFormat.MT940: read_mt940_statement,
}


def read_statement(
    path: Path, *, account: str, currency: str, csv_profile: CsvProfile | None
) -> list[BankLine]:
    """Parse one statement file of any known format, all lines or none.

    Raises:
        BadInputError: unknown format, a CSV without a profile, or a bad file;
            the error names file, line and field.
    """
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    fmt = detect_format(path, head)
    if fmt is StatementFormat.CSV:
        if csv_profile is None:
            raise BadInputError(
                f"a CSV statement arrived but source {account!r} has no 'csv' profile configured",
                SourceLocation(file=str(path)),
            )
        return read_csv_statement(path, csv_profile, account=account, currency=currency)
    reader = _READERS.get(fmt)
    if reader is None:
        hint = (
            " (NUL bytes: UTF-16 without a byte-order mark, or binary)" if b"\x00" in head else ""
        )
        raise BadInputError(
            "not a statement format arbridge reads (OFX/QFX, camt.053/054, BAI2, MT940, CSV)"
            + hint,
            SourceLocation(file=str(path), line=1),
        )
    return reader(path, account=account, currency=currency)
