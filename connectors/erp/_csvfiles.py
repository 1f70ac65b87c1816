"""Strict reading of the ERP's CSV exports: every bad value names file, line and field."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from arbridge.connectors.errors import PermanentConnectorError
from arbridge.domain.errors import BadInputError, SourceLocation
from arbridge.domain.money import parse_money

T = TypeVar("T")

_FLAGS = {"true": True, "yes": True, "y": True, "1": True}
_FLAGS |= {"false": False, "no": False, "n": False, "0": False}


class Row:
    """One CSV row with typed accessors that report the exact location of bad values."""

    def __init__(self, path: Path, line: int, values: dict[str, str]) -> None:
        self.path, self.line, self.values = path, line, values

    def text(self, field: str) -> str:
        """A required, non-empty text field."""
        value = self.values[field]
        if not value:
            raise self.error(field, value, "is empty")
        return value

    def optional(self, field: str) -> str | None:
        """A text field that may be empty (or absent from the header)."""
        return self.values.get(field) or None

    def money(self, field: str) -> Decimal:
        """A decimal amount."""
        value = self.values[field]
        try:
            return parse_money(value)
        except ValueError:
            raise self.error(field, value, "is not an amount") from None

    def optional_money(self, field: str) -> Decimal | None:
        """A decimal amount that may be empty (or absent from the header)."""
        return self.money(field) if self.values.get(field) else None

    def optional_flag(self, field: str) -> bool | None:
        """A yes/no mark (true/false, yes/no, y/n, 1/0) that may be empty or absent."""
        value = self.values.get(field, "")
        if not value:
            return None
        flag = _FLAGS.get(value.lower())
        if flag is None:
            raise self.error(field, value, "is not a yes/no mark (true/false, yes/no, 1/0)")
        return flag

    def optional_language(self, field: str) -> str | None:
        """A two-letter language code (`de`, or `de-CH` read as `de`), empty or absent."""
        value = self.values.get(field, "").strip()
        if not value:
            return None
        code = value.replace("_", "-").split("-")[0].lower()
        if not re.fullmatch(r"[a-z]{2}", code):
            raise self.error(field, value, "is not a two-letter language code (en, de, fr, ...)")
        return code

    def date(self, field: str) -> date:
        """An ISO date."""
        value = self.values[field]
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.error(field, value, "is not an ISO date (YYYY-MM-DD)") from None

    def error(self, field: str, value: str, problem: str) -> BadInputError:
        """An error pointing at this row's field."""
        where = SourceLocation(file=str(self.path), line=self.line, field=field, value=value)
        return BadInputError(f"{field} {problem}", where)


def read_rows(path: Path, required: tuple[str, ...]) -> Iterator[Row]:
    """Yield the rows of an ERP export after checking its header.

    Raises:
        BadInputError: the header lacks a required column.
        FileNotFoundError: the file does not exist.
    """
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in required if c not in header]
        if missing:
            locations = [SourceLocation(file=str(path), line=1, field=c) for c in missing]
            raise BadInputError(
                f"header lacks required column(s); found: {', '.join(header)}", *locations
            )
        for raw in reader:
            values = {str(k).strip(): (v or "").strip() for k, v in raw.items() if k is not None}
            if any(values.values()):
                yield Row(path, reader.line_num, values)


def load_all(
    connector: str, path: Path, required: tuple[str, ...], build: Callable[[Row], T]
) -> list[T]:
    """Read a whole export, all rows or none, turning every failure into a connector error."""
    try:
        return build_all(read_rows(path, required), build)
    except FileNotFoundError:
        raise PermanentConnectorError(connector, f"export file {path} does not exist") from None
    except BadInputError as exc:
        raise PermanentConnectorError(connector, str(exc)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise PermanentConnectorError(connector, f"cannot read {path}: {exc}") from exc


MAX_REPORTED_ERRORS = 20


def build_all(rows: Iterator[Row], build: Callable[[Row], T]) -> list[T]:
    """Build every row; if any fail, raise one error naming each bad row (the first 20)."""
    built: list[T] = []
    problems: list[SourceLocation] = []
    for row in rows:
        try:
            built.append(build(row))
        except BadInputError as exc:
            problems.extend(exc.locations)
    if problems:
        shown = problems[:MAX_REPORTED_ERRORS]
        raise BadInputError(f"{len(problems)} bad value(s) in the export", *shown)
    return built
