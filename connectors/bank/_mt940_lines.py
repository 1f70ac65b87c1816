"""Check and mend every MT940 `:61:` statement line before `mt-940` reads it, and say where each is.

`mt-940` drops a `:61:` it cannot match (an amount written `45.67`) without a
word, and names a bad one only by its text. Here each `:61:` is checked for a
value date, a debit/credit mark and an amount of digits and one comma, so a bad
file is rejected naming its line, and good lines get their line numbers.

Banks' dialects are mended on the way, as they send them:
- a `:61:` broken across physical lines before its transaction type (between the
  mark and the amount, inside the amount) is joined back into one line;
- a lone `:` on a line of its own before `86:` is put back in front of it;
- a tag indented by blanks is moved to the line's start (CR-only line ends are
  read as lines by the reader);
- a date that is no calendar date (German savings banks count 30-day months, so
  30 February occurs) is clamped to the month's end, and the line says so.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from arbridge.connectors.bank._errors import reject

_TAG = re.compile(r":?\d\d[A-Z]?:")
_BALANCE = re.compile(r"(:(?:60|62)[FM]?:|:6[45]:)([CD])(\d{6})(.*)", re.S)
_HEAD_DONE = re.compile(r"\d{6}(\d{4}| {4})?R?[CD][A-Z]?[\d,]+[NFS][A-Z0-9]{3}", re.I)
_STATEMENT_LINE = re.compile(
    r"(?P<date>\d{6})(?P<entry>\d{4}| {4})?(?P<mark>R?[CD])[A-Z]?(?P<amount>[\d,]+)(?P<rest>.*)",
    re.I | re.S,
)


@dataclass(slots=True)
class Prepared:
    """The text `mt-940` reads, and each `:61:`'s line number and note."""

    text: str
    lines: list[int] = field(default_factory=list)
    notes: list[str | None] = field(default_factory=list)


def prepare(path: Path, text: str) -> Prepared:
    """The statement with its dialects mended, every `:61:` checked and placed.

    Raises:
        BadInputError: a `:61:` without a valid date, mark or amount; names its line.
    """
    physical = [line.removesuffix("\r") for line in text.split("\n")]
    if physical and not physical[-1]:
        physical.pop()
    out: list[str] = []
    prepared = Prepared(text="")
    index = 0
    while index < len(physical):
        line, index = physical[index], index + 1
        if line[:1].isspace() and _TAG.match(line.lstrip()):
            line = line.lstrip()  # a tag indented by the bank's export
        if line.strip() == ":" and index < len(physical) and _TAG.match(physical[index]):
            line, index = ":" + physical[index].lstrip(":"), index + 1  # a lone ':' before '86:'
        if line.startswith(":61:"):
            number = index
            head = line[4:].strip()
            while not _HEAD_DONE.match(head) and index < len(physical):
                following = physical[index]
                if _TAG.match(following) or following.strip() in {"", "-", "-}"}:
                    break
                head, index = head + following.strip(), index + 1
            head, note = _check(path, head, number)
            prepared.lines.append(number)
            prepared.notes.append(note)
            line = ":61:" + head
        else:
            line = _balance(line)
        out.append(line)
    prepared.text = "\n".join(out) + "\n"
    return prepared


def _balance(line: str) -> str:
    found = _BALANCE.match(line)
    if found is None:
        return line
    tag, mark, text, rest = found.groups()
    try:
        fixed = _calendar(text)[0]
    except ValueError:
        return line  # `mt-940` says what is wrong with it
    return f"{tag}{mark}{fixed}{rest}"


def _check(path: Path, value: str, line: int) -> tuple[str, str | None]:
    parts = _STATEMENT_LINE.match(value)
    if parts is None:
        raise reject(
            path,
            "statement line needs a YYMMDD date, a C/D/RC/RD mark and an amount",
            line=line,
            field=":61:",
            value=value,
        )
    text, entry = parts.group("date"), parts.group("entry")
    try:
        fixed, real, clamped = _calendar(text)
        if entry is not None and entry.strip():
            entry = _calendar(text[:2] + entry)[0][2:]
    except ValueError:
        raise reject(
            path, "value date is not a YYMMDD date", line=line, field=":61: date", value=text
        ) from None
    value = fixed + (entry or "") + value[6 + len(parts.group("entry") or "") :]
    note = f"value date {text} is no calendar date; read as {real.isoformat()}" if clamped else None
    amount, rest = parts.group("amount"), parts.group("rest")
    if amount.count(",") > 1 or not amount.strip(",") or (rest and not rest[0].isalpha()):
        raise reject(
            path,
            "amount must be digits with one decimal comma",
            line=line,
            field=":61: amount",
            value=value,
        )
    return value, note


def _calendar(text: str) -> tuple[str, date, bool]:
    """(YYMMDD, date, clamped): a day past the month's end is clamped to the month's end.

    Raises:
        ValueError: no date at all (not digits, month 13, day 0 or 32).
    """
    year, month, day = 2000 + int(text[:2]), int(text[2:4]), int(text[4:6])
    if not 1 <= day <= 31:  # noqa: PLR2004 - the longest month
        raise ValueError(text)
    last = calendar.monthrange(year, month)[1]  # raises ValueError for a bad month
    if day <= last:
        return text, date(year, month, day), False
    return f"{text[:4]}{last:02d}", date(year, month, last), True
