"""The rows already in the csv ERP's applications.csv, read incrementally.

The file is only ever appended to (under a lock), so after the first full read only
the bytes added since are parsed: with several daemons appending in turn, each post
costs what was added, not the whole file.
"""

from __future__ import annotations

import csv
import io
import os
from decimal import Decimal
from pathlib import Path

from arbridge.connectors.erp._csvfiles import Row
from arbridge.connectors.errors import PermanentConnectorError
from arbridge.domain.errors import BadInputError, SourceLocation
from arbridge.domain.records import ZERO

Key = tuple[str, str]  # (bank transaction id, invoice id)
Stamp = tuple[int, int]
REQUIRED = ("bank_transaction_id", "invoice_id", "amount", "adjustment")


class PostedRows:
    """What applications.csv holds, keyed by (bank id, invoice id): amount plus adjustment."""

    def __init__(self, connector: str, path: Path) -> None:
        self._connector, self._path = connector, path
        self._rows: dict[Key, Decimal] = {}
        self._header: list[str] = []
        self._offset = 0  # bytes parsed so far; always just after a row's newline
        self._line = 0  # CSV lines parsed so far (for error locations)
        self._stamp: Stamp | None = None

    def current(self) -> dict[Key, Decimal]:
        """The rows as the file holds them now (a torn last row from a crash not counted)."""
        stamp = stamp_of(self._path)
        if stamp is None:
            self.forget()
            return self._rows
        if stamp != self._stamp:
            if stamp[0] < self._offset:  # rewritten, not appended to: start over
                self.forget()
            self._read_tail()
            self._stamp = stamp
        return self._rows

    def appended(self, written: dict[Key, Decimal]) -> None:
        """Our own append (made under the lock, after `current()`): count it without re-reading."""
        self._rows.update(written)
        stamp = stamp_of(self._path)
        if stamp is not None:
            self._offset, self._stamp = stamp[0], stamp
            self._line += len(written)  # one CSV line per row written (IDs hold no newlines)
            if not self._header:  # we wrote the header too
                self.forget()

    def forget(self) -> None:
        """Drop what is known: the next `current()` reads the whole file again."""
        self._rows, self._header, self._offset, self._line, self._stamp = {}, [], 0, 0, None

    def _read_tail(self) -> None:
        try:
            with self._path.open("rb") as handle:
                handle.seek(self._offset)
                data = handle.read()
        except FileNotFoundError:
            self.forget()
            return
        except OSError as exc:
            raise PermanentConnectorError(
                self._connector, f"cannot read {self._path}: {exc}"
            ) from exc
        complete = data[: data.rfind(b"\n") + 1]  # a torn last row is not posted yet
        if not complete:
            return
        try:
            self._parse(complete.decode("utf-8-sig" if self._offset == 0 else "utf-8"))
        except (BadInputError, UnicodeDecodeError) as exc:
            self.forget()
            raise PermanentConnectorError(self._connector, str(exc)) from exc
        self._offset += len(complete)

    def _parse(self, text: str) -> None:
        found: dict[Key, Decimal] = {}
        line = self._line
        for record in csv.reader(io.StringIO(text, newline="")):
            line += 1
            if not self._header:
                self._header = self._checked_header(record)
                continue
            values = dict(zip(self._header, (v.strip() for v in record), strict=False))
            if values.get("applied_at"):
                row = Row(self._path, line, values)
                adjustment = row.money("adjustment") if values["adjustment"] else ZERO
                found[row.text("bank_transaction_id"), values["invoice_id"]] = (
                    row.money("amount") + adjustment
                )
        self._rows.update(found)
        self._line = line

    def _checked_header(self, record: list[str]) -> list[str]:
        header = [h.strip() for h in record]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            where = [SourceLocation(file=str(self._path), line=1, field=c) for c in missing]
            raise BadInputError(
                f"header lacks required column(s); found: {', '.join(header)}", *where
            )
        return header


def stamp_of(path: Path) -> Stamp | None:
    """Size and modification time of a file; None when it does not exist."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_size, st.st_mtime_ns)
