"""The rows already in the csv ERP's applications.csv, read incrementally, with their keys.

The file is only ever appended to (under a lock), so after the first full read only
the bytes added since are parsed: with several daemons appending in turn, each post
costs what was added, not the whole file.

applications.csv keeps the contract's columns, which do not name the bank account; many
banks number lines per account, so two accounts can share a bank transaction id. Each
append is therefore followed (under the same lock) by one record per row in the sidecar
`applications.keys.csv`: the row's line, bank account, bank transaction id, invoice id and
the application's idempotency key. A row is identified by (account, bank id, invoice id).
A row without a sidecar record (written before this, or by a crash between the two
appends) has account "" and matches an allocation only with the same bank id, invoice
id and amount.
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

Key = tuple[str, str, str]  # (bank account or "", bank transaction id, invoice id)
Stamp = tuple[int, int]
REQUIRED = ("bank_transaction_id", "invoice_id", "amount", "adjustment")
KEY_COLUMNS = ("line", "bank_account", "bank_transaction_id", "invoice_id", "idempotency_key")


def keys_path(path: Path) -> Path:
    """The sidecar of an applications file: `applications.keys.csv` next to `applications.csv`."""
    return path.with_name(f"{path.stem}.keys{path.suffix}")


class PostedRows:
    """What applications.csv holds, keyed by (account, bank id, invoice id): amount plus adjustment."""

    def __init__(self, connector: str, path: Path) -> None:
        self._connector, self._path = connector, path
        self._rows: dict[Key, Decimal] = {}
        self._sidecar: dict[int, tuple[str, str, str, str]] = {}
        self.keys: set[str] = set()
        """Idempotency keys of the applications whose rows the file holds."""
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

    def next_line(self) -> int:
        """The line the next appended row gets (after `current()`; 2 in a new file)."""
        return self._line + 1 if self._line else 2

    def appended(self, written: dict[Key, Decimal], keys: set[str]) -> None:
        """Our own append (made under the lock, after `current()`): count it without re-reading."""
        self._rows.update(written)
        self.keys |= keys
        stamp = stamp_of(self._path)
        if stamp is not None:
            self._offset, self._stamp = stamp[0], stamp
            self._line += len(written)  # one CSV line per row written (IDs hold no newlines)
            if not self._header:  # we wrote the header too
                self.forget()

    def forget(self) -> None:
        """Drop what is known: the next `current()` reads the whole file again."""
        self._rows, self._header, self._offset, self._line, self._stamp = {}, [], 0, 0, None
        self._sidecar, self.keys = {}, set()

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
            self._sidecar = read_sidecar(keys_path(self._path))
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
                bank_id, invoice = row.text("bank_transaction_id"), values["invoice_id"]
                account = ""
                known = self._sidecar.get(line)
                if known is not None and known[1:3] == (bank_id, invoice):
                    account = known[0]
                    self.keys.add(known[3])
                key = (account, bank_id, invoice)
                found[key] = found.get(key, ZERO) + row.money("amount") + adjustment
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


def read_ledger(connector: str, path: Path) -> list[tuple[str, str, str, str, Decimal, Decimal]]:
    """Every complete row of applications.csv with its sidecar record, read afresh (audit).

    Returns:
        (idempotency key or "", account or "", bank id, invoice id, amount, adjustment) per row.
    """
    rows = PostedRows(connector, path)
    sidecar = read_sidecar(keys_path(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return []
    found = []
    records = csv.reader(io.StringIO(text[: text.rfind("\n") + 1], newline=""))
    header: list[str] = []
    for line, record in enumerate(records, 1):
        if not header:
            header = rows._checked_header(record)
            continue
        values = dict(zip(header, (v.strip() for v in record), strict=False))
        if not values.get("applied_at"):
            continue
        row = Row(path, line, values)
        bank_id, invoice = row.text("bank_transaction_id"), values["invoice_id"]
        known = sidecar.get(line)
        key, account = ("", "")
        if known is not None and known[1:3] == (bank_id, invoice):
            key, account = known[3], known[0]
        adjustment = row.money("adjustment") if values["adjustment"] else ZERO
        found.append((key, account, bank_id, invoice, row.money("amount"), adjustment))
    return found


def read_sidecar(path: Path) -> dict[int, tuple[str, str, str, str]]:
    """Sidecar records by line: (account, bank id, invoice id, idempotency key); {} if none."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            text = handle.read()
    except FileNotFoundError:
        return {}
    found: dict[int, tuple[str, str, str, str]] = {}
    for record in csv.reader(io.StringIO(text[: text.rfind("\n") + 1], newline="")):
        if len(record) == len(KEY_COLUMNS) and record[0].isdigit():
            found[int(record[0])] = (record[1], record[2], record[3], record[4])
    return found


def append_sidecar(path: Path, records: list[tuple[int, str, str, str, str]]) -> None:
    """Append sidecar records durably (header first in a new file); a torn last one is ignored."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    with path.open("a+b") as handle:
        size = handle.seek(0, os.SEEK_END)
        if size == 0:
            writer.writerow(KEY_COLUMNS)
        elif handle.seek(size - 1) is not None and handle.read(1) != b"\n":
            buffer.write("\n")  # end a torn record so it stays unreadable, not merged
        writer.writerows(records)
        handle.write(buffer.getvalue().encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())


def stamp_of(path: Path) -> Stamp | None:
    """Size and modification time of a file; None when it does not exist."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_size, st.st_mtime_ns)
