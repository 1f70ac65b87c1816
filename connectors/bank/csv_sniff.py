"""Propose a CSV profile for an unknown bank export (`arbridge bank sniff`)."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path

_ENCODINGS = ("utf-8-sig", "cp1252")
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y%m%d", "%d-%m-%Y", "%m/%d/%y")
_AMOUNT = re.compile(r"^[-+(]?[$€£]?\d{1,3}([.,' ]?\d{3})*([.,]\d{1,2})?\)?-?$")
_ID_NAMES = re.compile(r"(transaction|trans|ref|id)", re.I)
_DEBIT = re.compile(r"(debit|withdraw|out|af)", re.I)
_CREDIT = re.compile(r"(credit|deposit|in\b|bij)", re.I)
_SAMPLE_ROWS = 50


def sniff_csv_profile(path: Path) -> dict[str, object]:
    """Guess the `csv:` settings of a bank export from its content.

    Returns:
        A mapping shaped like the YAML `csv:` section; keys it could not guess are absent.

    Raises:
        ValueError: the file is empty or has no recognisable header.
    """
    raw = path.read_bytes()
    encoding, text = _decode(raw)
    lines = text.splitlines()
    delimiter = _delimiter(lines[:_SAMPLE_ROWS])
    skip = _header_index(lines, delimiter)
    sample = "\n".join(lines[skip : skip + _SAMPLE_ROWS])
    rows = list(csv.reader(io.StringIO(sample), delimiter=delimiter))
    if len(rows) < 2:  # noqa: PLR2004 - a header and one row
        raise ValueError(f"{path}: no header and rows found")
    header, body = [h.strip() for h in rows[0]], rows[1:]
    columns = {name: [r[i].strip() for r in body if i < len(r)] for i, name in enumerate(header)}
    profile: dict[str, object] = {"encoding": encoding, "delimiter": delimiter, "skip_lines": skip}
    date_column, date_format = _date(columns)
    if date_column is not None:
        profile["date"] = {"column": date_column, "format": date_format}
    profile.update(_amounts({n: v for n, v in columns.items() if n != date_column}))
    texts = [n for n, v in columns.items() if _is_text(v) and not _ID_NAMES.search(n)]
    profile["description"] = {"columns": texts[:2] or header[:1]}
    ids = [n for n in columns if _ID_NAMES.search(n) and len(set(columns[n])) == len(columns[n])]
    if ids:
        profile["transaction_id"] = {"column": ids[0]}
    return profile


def _decode(raw: bytes) -> tuple[str, str]:
    for encoding in _ENCODINGS:
        try:
            return encoding, raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return "latin-1", raw.decode("latin-1")


def _header_index(lines: list[str], delimiter: str) -> int:
    """The first line that has as many fields as most of the lines after it."""
    counts = [len(row) for row in csv.reader(lines[:_SAMPLE_ROWS], delimiter=delimiter)]
    if not counts:
        raise ValueError("empty file")
    typical = max(set(counts), key=counts.count)
    return next(i for i, c in enumerate(counts) if c == typical)


def _delimiter(lines: list[str]) -> str:
    """The separator that splits most lines into the same number (> 1) of fields."""
    best, best_score = ",", (0, 0)
    for candidate in ",;\t|":
        counts = [len(row) for row in csv.reader(lines, delimiter=candidate) if row]
        modal = max(set(counts), key=counts.count) if counts else 1
        score = (counts.count(modal), modal) if modal > 1 else (0, 0)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _date(columns: dict[str, list[str]]) -> tuple[str | None, str]:
    for name, values in columns.items():
        for fmt in _DATE_FORMATS:
            if values and all(_parses(v, fmt) for v in values if v):
                return name, fmt
    return None, ""


def _parses(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)  # noqa: DTZ007 - only checking the shape
    except ValueError:
        return False
    return True


def _amounts(columns: dict[str, list[str]]) -> dict[str, object]:
    numeric = [n for n, v in columns.items() if v and all(_AMOUNT.match(x) for x in v if x)]
    numeric = [n for n in numeric if any(columns[n]) and not _ID_NAMES.search(n)]
    values = [x for n in numeric for x in columns[n] if x]
    decimal = (
        "," if sum(bool(re.search(r",\d{1,2}\)?-?$", x)) for x in values) > len(values) / 2 else "."
    )
    amount: dict[str, object] = {"decimal": decimal}
    if any(re.search(r"\d[.,]\d{3}([.,]|$)", x) for x in values):
        amount["thousands"] = "." if decimal == "," else ","
    debit = next((n for n in numeric if _DEBIT.search(n)), None)
    credit = next((n for n in numeric if _CREDIT.search(n)), None)
    if debit and credit:
        amount.update(debit=debit, credit=credit)
    elif numeric:
        signed = [n for n in numeric if any(x.startswith(("-", "(")) for x in columns[n])]
        amount["column"] = (signed or [n for n in numeric if "amount" in n.lower()] or numeric)[0]
    else:
        return {}
    return {"amount": amount}


def _is_text(values: list[str]) -> bool:
    filled = [v for v in values if v]
    return bool(filled) and sum(any(c.isalpha() for c in v) for v in filled) > len(filled) / 2
