"""A folder of statement files for one bank account."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from connectors.bank.csv_reader import CsvProfile
from connectors.bank.reader import read_statement
from connectors.base import StatementFile
from connectors.errors import PermanentConnectorError
from domain.records import BankLine


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
        """Parse one statement file of any known format, all or nothing."""
        return read_statement(
            file.path, account=self._name, currency=self._currency, csv_profile=self._csv_profile
        )
