"""BAI2 control totals (49 account, 98 group, 99 file) checked against what was read.

Each account's 49 total is the sum of the amounts in its 03 summary and 16 detail
records; a group's 98 total the sum of its 49 totals; the file's 99 total the sum of
the 98 totals. Banks do send files whose totals do not add up: a mismatch is noted
on the file (rejected only when the source is `strict`). A blank total is not checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from arbridge.connectors.bank._notes import note

_FUNDS_EXTRA = {"S": 3, "V": 2}


class _Record(Protocol):
    code: str
    fields: list[str]
    line: int


def check_control_totals(path: Path, records: Sequence[_Record]) -> None:
    """Note every 49, 98 and 99 control total that differs from the amounts read.

    Raises:
        BadInputError: only under strict notes.
    """
    account = group = whole = 0
    for record in records:
        if record.code == "03":
            account = _summary_total(record.fields)
        elif record.code == "16":
            account += _number(record.fields[0].split("\n", 1)[0].split(",")[1:2])
        elif record.code == "49":
            group += _compare(path, record, account, "account (49)")
        elif record.code == "98":
            whole += _compare(path, record, group, "group (98)")
            group = 0
        elif record.code == "99":
            _compare(path, record, whole, "file (99)")


def _compare(path: Path, record: _Record, found: int, what: str) -> int:
    """The trailer's own total (what the next level adds up), after comparing it."""
    text = record.fields[0].strip() if record.fields else ""
    given = _parse(text)
    if given is None:
        return found
    if given != found:
        note(
            path,
            f"{what} control total {text} does not match the sum {found} of the amounts read",
            line=record.line,
            field=f"{record.code} control total",
        )
    return given


def _summary_total(fields: list[str]) -> int:
    total, index = 0, 2  # account number, currency, then (type, amount, count, funds...)*
    while index + 1 < len(fields):
        total += _number(fields[index + 1 : index + 2])
        funds = fields[index + 3].strip() if index + 3 < len(fields) else ""
        index += 4 + _funds_extra(funds, fields, index + 4)
    return total


def _funds_extra(funds: str, fields: list[str], at: int) -> int:
    if funds == "D":
        count = _parse(fields[at]) if at < len(fields) else None
        return 1 + 2 * (count or 0)
    return _FUNDS_EXTRA.get(funds, 0)


def _number(values: list[str]) -> int:
    return (_parse(values[0]) or 0) if values else 0


def _parse(text: str) -> int | None:
    text = text.strip().removesuffix("/")
    digits = text.lstrip("+-")
    if not digits.isdigit():
        return None
    return -int(digits) if text.startswith("-") else int(digits)
