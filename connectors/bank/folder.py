"""A folder of statement files for one bank account.

A ZIP or gzip file in the folder is opened and each statement inside it is a file
of its own (`archive.zip!member.xml`): its own content hash for dedupe, its own
quarantine, its own line numbers. With `move_files`, a bad member is written to
`quarantine/` beside its note, and the archive goes to `archive/` once every
member has been put away. An archive refused whole (a bomb, a path trick) is one
bad file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from arbridge.connectors.bank.containers import is_container, open_container
from arbridge.connectors.bank.csv_reader import CsvProfile
from arbridge.connectors.bank.reader import read_statement
from arbridge.connectors.base import StatementFile
from arbridge.connectors.errors import PermanentConnectorError
from arbridge.domain.errors import BadInputError
from arbridge.domain.records import BankLine

_HEAD = 4


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
        strict: bool = False,
    ) -> None:
        self._name = name
        self._path = path
        self._currency = currency
        self._csv_profile = csv_profile
        self._pattern = pattern
        self._move = move_files
        self._strict = strict
        self._members: dict[Path, bytes] = {}
        self._container_of: dict[Path, tuple[Path, str]] = {}  # member -> (archive, flat name)
        self._waiting: dict[Path, set[Path]] = {}  # archive -> members not yet put away
        self._refused: dict[Path, BadInputError] = {}

    @property
    def name(self) -> str:
        """The source's configured name."""
        return self._name

    def list_files(self) -> Iterator[StatementFile]:
        """Yield statement files in name order (hidden files and error notes skipped).

        An archive yields its members (or itself, when it is refused whole).
        """
        if not self._path.is_dir():
            raise PermanentConnectorError(
                self._name, f"statement folder {self._path} does not exist"
            )
        for memo in (self._members, self._container_of, self._waiting, self._refused):
            memo.clear()  # what the last listing opened; a long-running daemon keeps no more
        for path in sorted(self._path.glob(self._pattern)):
            if (
                path.is_file()
                and not path.name.startswith(".")
                and not path.name.endswith(".error.txt")
            ):
                data = path.read_bytes()
                if is_container(data[:_HEAD]):
                    yield from self._open(path, data)
                else:
                    yield _file(self._name, path, data)

    def _open(self, path: Path, data: bytes) -> Iterator[StatementFile]:
        try:
            members = open_container(path, data)
        except BadInputError as exc:
            self._refused[path] = exc
            yield _file(self._name, path, data)
            return
        self._waiting[path] = {m.path for m in members}
        for member in members:
            self._members[member.path] = member.data
            flat = member.path.relative_to(path.parent).as_posix().replace("/", "_")
            self._container_of[member.path] = (path, flat)
            yield _file(self._name, member.path, member.data)

    def read(self, file: StatementFile) -> Sequence[BankLine]:
        """Parse one statement file (or archive member) of any known format, all or nothing."""
        if file.path in self._refused:
            raise self._refused[file.path]
        data = self._members.get(file.path)
        return read_statement(
            file.path,
            account=self._name,
            currency=self._currency,
            csv_profile=self._csv_profile,
            data=data,
            strict=self._strict,
        )

    def archive(self, file: StatementFile) -> None:
        """With move_files, move an imported file to `archive/` (kept in place otherwise)."""
        if file.path in self._members:
            self._member_done(file)
        elif self._move and file.path.exists():
            _move(file.path, file.sha256, self._path / "archive")

    def quarantine(self, file: StatementFile, error: str) -> None:
        """With move_files, move a bad file to `quarantine/` beside `<name>.error.txt`."""
        if not self._move:
            self._member_done(file)
            return
        target = self._path / "quarantine"
        target.mkdir(exist_ok=True)
        name = self._container_of.get(file.path, (file.path, file.path.name))[1]
        _write(target / f"{name}.error.txt", f"{name} was not imported:\n{error}\n".encode())
        data = self._members.get(file.path)
        if data is not None:  # a bad member: its own bytes go to quarantine
            _write(target / name, data)
            self._member_done(file)
        elif file.path.exists():
            _move(file.path, file.sha256, target)

    def _member_done(self, file: StatementFile) -> None:
        """Once every member of an archive is put away, the archive goes to `archive/`."""
        if file.path not in self._container_of:
            return
        self._members.pop(file.path, None)
        container = self._container_of[file.path][0]
        waiting = self._waiting.get(container, set())
        waiting.discard(file.path)
        if waiting or not self._move or not container.exists():
            return
        digest = hashlib.sha256(container.read_bytes()).hexdigest()
        _move(container, digest, self._path / "archive")


def _file(source: str, path: Path, data: bytes) -> StatementFile:
    return StatementFile(
        source=source, path=path, sha256=hashlib.sha256(data).hexdigest(), size=len(data)
    )


def _write(target: Path, data: bytes) -> None:
    scratch = target.with_name(f".{target.name}.tmp")
    scratch.write_bytes(data)
    os.replace(scratch, target)


def _move(path: Path, sha256: str, folder: Path) -> None:
    """Move a file into `folder`; a different file of the same name there is not overwritten."""
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    if target.exists():
        target = folder / f"{path.stem}.{sha256[:12]}{path.suffix}"
    os.replace(path, target)
