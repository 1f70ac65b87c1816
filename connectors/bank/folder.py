"""A folder of statement files for one bank account."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from connectors.bank.csv_reader import CsvProfile, read_csv_statement
from connectors.bank.detect import StatementFormat, detect_format
from connectors.base import StatementFile
from connectors.errors import PermanentConnectorError
from domain.errors import BadInputError, SourceLocation
from domain.records import BankLine

_HEAD_BYTES = 4096


class FolderBankSource:
    """Reads every statement file in a folder; the store remembers what it has read."""

    def __init__(
        self,
        *,
        name: str,
        path: Path,
        currency: str,
        csv_profile: CsvProfile | None,
        pattern: str = "*",
    ) -> None:
        self._name = name
        self._path = path
        self._currency = currency
        self._csv_profile = csv_profile
        self._pattern = pattern

    @property
    def name(self) -> str:
        """The source's configured name."""
        return self._name

    def list_files(self) -> Iterator[StatementFile]:
        """Yield statement files in name order (hidden files and error notes skipped)."""
        if not self._path.is_dir():
            raise PermanentConnectorError(
                self._name, f"statement folder {self._path} does not exist"
            )
        for path in sorted(self._path.glob(self._pattern)):
            if (
                path.is_file()
                and not path.name.startswith(".")
                and not path.name.endswith(".error.txt")
            ):
                data = path.read_bytes()
                yield StatementFile(
                    source=self._name,
                    path=path,
                    sha256=hashlib.sha256(data).hexdigest(),
                    size=len(data),
                )

    def read(self, file: StatementFile) -> Sequence[BankLine]:
        """Parse one statement file, all or nothing."""
        with file.path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
        fmt = detect_format(file.path, head)
        if fmt is StatementFormat.CSV:
            if self._csv_profile is None:
                raise BadInputError(
                    f"a CSV statement arrived but source {self._name!r} has no 'csv' profile configured",
                    SourceLocation(file=str(file.path)),
                )
            return read_csv_statement(
                file.path, self._csv_profile, account=self._name, currency=self._currency
            )
        raise BadInputError(
            f"statement format {fmt.value!r} is not supported by this version",
            SourceLocation(file=str(file.path)),
        )
