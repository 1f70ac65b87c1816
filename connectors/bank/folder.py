"""A folder of statement files for one bank account."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from arbridge.connectors.bank.csv_reader import CsvProfile
from arbridge.connectors.bank.reader import read_statement
from arbridge.connectors.base import StatementFile
from arbridge.connectors.errors import PermanentConnectorError
from arbridge.domain.records import BankLine


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
        move_files: bool = False,
    ) -> None:
        self._name = name
        self._path = path
        self._currency = currency
        self._csv_profile = csv_profile
        self._pattern = pattern
        self._move = move_files

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

    def archive(self, file: StatementFile) -> None:
        """With move_files, move an imported file to `archive/` (kept in place otherwise)."""
        if self._move and file.path.exists():
            _move(file, self._path / "archive")

    def quarantine(self, file: StatementFile, error: str) -> None:
        """With move_files, move a bad file to `quarantine/` beside `<name>.error.txt`."""
        if not self._move or not file.path.exists():
            return
        target = self._path / "quarantine"
        target.mkdir(exist_ok=True)
        note = target / f"{file.path.name}.error.txt"
        scratch = note.with_name(f".{note.name}.tmp")
        scratch.write_text(f"{file.path.name} was not imported:\n{error}\n", encoding="utf-8")
        os.replace(scratch, note)
        _move(file, target)


def _move(file: StatementFile, folder: Path) -> None:
    """Move a file into `folder`; a different file of the same name there is not overwritten."""
    folder.mkdir(exist_ok=True)
    target = folder / file.path.name
    if target.exists():
        target = folder / f"{file.path.stem}.{file.sha256[:12]}{file.path.suffix}"
    os.replace(file.path, target)
