"""What changed in the csv ERP's files since a fingerprint: nothing, only appended rows, or more.

A fingerprint (`source_version`) holds a content hash of the customers and invoices
exports and the size and content hash of applications.csv. The connector only ever
appends to applications.csv, so when the exports hash the same and the first `size`
bytes of applications.csv still hash the same, the only change is the rows appended
after them, and only the invoices those rows name can have a new open amount.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from arbridge.connectors.erp._csvfiles import Row

_BLOCK = 1 << 20


@dataclass(frozen=True, slots=True)
class Version:
    """The fingerprint of the three files."""

    customers: str
    invoices: str
    applications_size: int
    applications: str

    def text(self) -> str:
        """As stored in the sync cursor."""
        parts = [self.customers, self.invoices, self.applications_size, self.applications]
        return json.dumps(parts)

    @classmethod
    def parse(cls, text: str) -> Version | None:
        """A stored fingerprint, or None if it is not one of ours."""
        try:
            customers, invoices, size, applications = json.loads(text)
        except (ValueError, TypeError):
            return None
        return cls(str(customers), str(invoices), int(size), str(applications))


def version_of(customers: Path, invoices: Path, applications: Path, *also: Path) -> Version:
    """Hash every file's whole content (a missing or unreadable file says so).

    `also`: further files the open amounts depend on (the reversals of recorded payments);
    they count as part of the invoices export, so any change to them is a full read.
    """
    size, applied = _hash(applications)
    invoices_hash = "+".join(_hash(path)[1] for path in (invoices, *also))
    return Version(_hash(customers)[1], invoices_hash, size, applied)


def _hash(path: Path, limit: int | None = None) -> tuple[int, str]:
    """(bytes hashed, hex digest) of the file, or of its first `limit` bytes."""
    digest = hashlib.sha256()
    read = 0
    try:
        with path.open("rb") as handle:
            while limit is None or read < limit:
                block = handle.read(_BLOCK if limit is None else min(_BLOCK, limit - read))
                if not block:
                    break
                digest.update(block)
                read += len(block)
    except FileNotFoundError:
        return -1, "missing"
    except OSError as exc:  # the fetch that follows reports it
        return -1, f"unreadable {exc.errno}"
    return read, digest.hexdigest()


def appended_invoice_ids(path: Path, since: Version, now: Version) -> set[str] | None:
    """Invoice ids named by rows appended to applications.csv since `since`; None if more changed."""
    start = 0 if since.applications == "missing" else since.applications_size  # no file: all new
    same_exports = (since.customers, since.invoices) == (now.customers, now.invoices)
    if not same_exports or not 0 <= start <= now.applications_size:
        return None
    if start and _hash(path, start) != (start, since.applications):
        return None
    try:
        with path.open("rb") as handle:
            header = handle.readline()
            handle.seek(start)
            tail = handle.read(now.applications_size - start)
    except OSError:
        return None
    if 0 < start < len(header):
        return None  # the header itself was torn
    columns = [h.strip() for h in next(csv.reader([header.decode("utf-8-sig")]), [])]
    if "invoice_id" not in columns:
        return None
    at = columns.index("invoice_id")
    rows = csv.reader(io.StringIO(tail[: tail.rfind(b"\n") + 1].decode("utf-8-sig", "replace")))
    if not start:
        next(rows, None)  # the header
    return {r[at].strip() for r in rows if len(r) > at and r[at].strip()}


def rows_named(path: Path, column: str, wanted: set[str]) -> Iterator[Row]:
    """The export's rows whose `column` is one of `wanted` (others are not built at all)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        at = header.index(column)
        for record in reader:
            if len(record) > at and record[at].strip() in wanted:
                values = dict.fromkeys(header, "")  # short rows read as DictReader reads them
                values.update(zip(header, (v.strip() for v in record), strict=False))
                yield Row(path, reader.line_num, values)
