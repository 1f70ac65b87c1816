"""Check every MT940 `:61:` statement line before `mt-940` reads it, and say where each is.

`mt-940` drops a `:61:` it cannot match (an amount written `45.67`) without a
word, and names a bad one only by its text. Here each `:61:` is checked for a
real value date, a debit/credit mark and an amount of digits and one comma, so a
bad file is rejected naming its line, and good lines get their line numbers.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from arbridge.connectors.bank._errors import reject

_TAG_61 = re.compile(r"^:61:(.*)$", re.M)
_STATEMENT_LINE = re.compile(
    r"(?P<date>\d{6})(?P<entry>\d{4})?(?P<mark>R?[CD])[A-Z]?(?P<amount>[\d,]+)(?P<rest>.*)",
    re.I,
)


def statement_lines(path: Path, text: str) -> list[int]:
    """The line number of every `:61:`, in order, after checking each.

    Raises:
        BadInputError: a `:61:` without a valid date, mark or amount; names its line.
    """
    lines = []
    line, counted = 1, 0
    for match in _TAG_61.finditer(text):
        line += text.count("\n", counted, match.start())  # counted on from the last one: linear
        counted = match.start()
        _check(path, match.group(1).strip(), line)
        lines.append(line)
    return lines


def _check(path: Path, value: str, line: int) -> None:
    parts = _STATEMENT_LINE.match(value)
    if parts is None:
        raise reject(
            path,
            "statement line needs a YYMMDD date, a C/D/RC/RD mark and an amount",
            line=line,
            field=":61:",
            value=value,
        )
    text = parts.group("date")
    try:
        date(2000 + int(text[:2]), int(text[2:4]), int(text[4:6]))
    except ValueError:
        raise reject(
            path, "value date is not a YYMMDD date", line=line, field=":61: date", value=text
        ) from None
    amount, rest = parts.group("amount"), parts.group("rest")
    if amount.count(",") > 1 or not amount.strip(",") or (rest and not rest[0].isalpha()):
        raise reject(
            path,
            "amount must be digits with one decimal comma",
            line=line,
            field=":61: amount",
            value=value,
        )
