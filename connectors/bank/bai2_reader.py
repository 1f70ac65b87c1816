"""Read BAI2 cash-management files (prior-day and lockbox style).

Own code: the `bai2` package (0.15) refuses valid files from real banks
(type codes it does not list, record counts it miscounts). Here 88
continuation records are joined to the record they continue, every 16
(transaction detail) record becomes a line dated by its group's as-of date,
signed by its type code (100-399 and 900-959 credits, 400-699 and 960-999
debits), in its account's currency, else its group's, else the source's.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from arbridge.connectors.bank._bai2_totals import check_control_totals
from arbridge.connectors.bank._bom import from_utf16
from arbridge.connectors.bank._errors import reject
from arbridge.connectors.bank._fingerprint import Fingerprinter
from arbridge.domain.records import BankLine

_ZERO_DECIMAL = {"JPY", "KRW", "VND", "CLP", "ISK", "XOF", "XAF", "PYG", "UGX"}
_FUNDS_EXTRA = {"S": 3, "V": 2}
_CREDIT_CODES = frozenset(range(100, 400)) | frozenset(range(900, 960))
_DEBIT_CODES = frozenset(range(400, 700)) | frozenset(range(960, 1000))
_RECORD_CODES = frozenset({"01", "02", "03", "16", "49", "98", "99"})
_CODED = re.compile(r"\d\d\s*,")
_SEVERAL = re.compile(r"(?<=/)\s+(?=(?:0[123]|16|49|88|9[89]),)")
_WRAP_WIDTH = 80


@dataclass(slots=True)
class _Record:
    code: str
    fields: list[str]
    line: int


@dataclass(slots=True)
class _State:
    as_of: date | None = None
    group_currency: str | None = None
    account_currency: str | None = None


def read_bai2_statement(
    path: Path, *, account: str, currency: str, data: bytes | None = None
) -> list[BankLine]:
    """Parse a BAI2 file into bank lines, all or nothing.

    Raises:
        BadInputError: a record is unknown or malformed, or the 99 trailer is
            missing (a truncated file); names file, line and field.
    """
    records = _records(path, path.read_bytes() if data is None else data)
    if not records or records[0].code != "01":
        raise reject(path, "a BAI2 file starts with a 01 file header", line=1, field="01")
    if records[-1].code != "99":
        raise reject(
            path, "no 99 file trailer: the file is truncated", line=records[-1].line, field="99"
        )
    check_control_totals(path, records)
    state, lines = _State(), []
    fingerprints, seen = Fingerprinter(), set[str]()
    for record in records:
        if record.code == "02":
            state.as_of = _date(path, record, 3)
            state.group_currency = _field(record, 5) or None
        elif record.code == "03":
            state.account_currency = _field(record, 1) or None
        elif record.code == "16":
            line = _transaction(path, record, state, account, currency or "USD")
            if line.bank_id in seen or not line.bank_id:
                line = _with_id(
                    line, fingerprints.next_id(line.booked_on, line.amount, line.description)
                )
            seen.add(line.bank_id)
            lines.append(line)
    return lines


def _records(path: Path, raw: bytes) -> list[_Record]:
    text = _decode(from_utf16(raw, partial=True).removeprefix(codecs.BOM_UTF8))
    records: list[_Record] = []
    width = 0  # of the physical line before: a wrap at a fixed width cuts words
    for number, physical in enumerate(text.splitlines(), start=1):
        if not physical.strip():
            continue
        previous_width, width = width, len(physical.rstrip())
        for content in _SEVERAL.split(physical.strip()):  # several records on one line
            _record(path, records, content, number, joined=previous_width >= _WRAP_WIDTH)
    return records


def _record(path: Path, records: list[_Record], content: str, number: int, *, joined: bool) -> None:
    """Add one record (or a continuation of the last) from its text."""
    code, separator, rest = content[:2], content[2:3], content[3:]
    if code == "88" and separator and not separator.isalnum():
        if not records:
            raise reject(path, "88 continuation before any record", line=number, field="88")
        _continue(records[-1], rest.lstrip(", ") if separator == " " else rest)
    elif code in _RECORD_CODES and separator in {",", ""}:
        records.append(_Record(code=code, fields=_split(code, rest), line=number))
    elif _CODED.match(content) or not records:
        raise reject(path, "unknown BAI2 record type", line=number, field="record", value=code)
    else:  # a record's text wrapped onto a physical line of its own, without a record code
        _wrap(records[-1], content, joined=joined)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")  # decodes anything; BAI2 is meant to be ASCII


def _split(code: str, rest: str) -> list[str]:
    if code == "16":
        return [rest]  # split later: its last field (text) may hold commas
    return rest.rstrip().removesuffix("/").split(",")


def _wrap(record: _Record, content: str, *, joined: bool) -> None:
    """Append a wrapped physical line; at a fixed-width cut (80 columns) the word goes on."""
    if record.code == "16":
        record.fields[0] = record.fields[0].removesuffix("/") + ("" if joined else " ") + content
    else:
        _continue(record, content)


def _continue(record: _Record, rest: str) -> None:
    if record.code == "16":
        record.fields[0] += "\n" + rest
    else:
        record.fields += rest.rstrip().removesuffix("/").split(",")


def _field(record: _Record, index: int) -> str:
    return record.fields[index].strip() if index < len(record.fields) else ""


def _date(path: Path, record: _Record, index: int) -> date:
    text = _field(record, index)
    try:
        return date(2000 + int(text[:2]), int(text[2:4]), int(text[4:6]))
    except ValueError:
        raise reject(
            path, "not a YYMMDD date", line=record.line, field="as-of date", value=text
        ) from None


def _transaction(
    path: Path, record: _Record, state: _State, account: str, default: str
) -> BankLine:
    first, _, continued = record.fields[0].partition("\n")
    head = first.split(",")
    type_code, amount_text, funds = ([*head, "", "", ""])[:3]
    extra = _funds_extra(funds.strip(), head)
    rest = head[3 + extra :]
    bank_ref, customer_ref = (r.strip().removesuffix("/") for r in ([*rest, "", ""])[:2])
    pieces = [",".join(rest[2:]), *continued.split("\n")]  # the 16's text, then each 88's
    text = " ".join(p.strip().removesuffix("/") for p in pieces)
    currency = state.account_currency or state.group_currency or default
    if state.as_of is None:
        raise reject(path, "16 record outside a 02 group", line=record.line, field="16")
    return BankLine(
        account=account,
        bank_id=bank_ref.strip(),
        booked_on=state.as_of,
        amount=_amount(path, record, type_code.strip(), amount_text.strip(), currency),
        currency=currency,
        description=" ".join(text.split()),
        references=tuple(r.strip() for r in (customer_ref,) if r.strip()),
        source_file=str(path),
        source_line=record.line,
    )


def _funds_extra(funds: str, head: list[str]) -> int:
    if funds == "D":
        try:
            return 1 + 2 * int(head[3])
        except (IndexError, ValueError):
            return 1
    return _FUNDS_EXTRA.get(funds, 0)


def _amount(path: Path, record: _Record, type_code: str, text: str, currency: str) -> Decimal:
    try:
        code = int(type_code)
    except ValueError:
        raise reject(
            path, "type code is not a number", line=record.line, field="type code", value=type_code
        ) from None
    if code in _CREDIT_CODES:
        sign = 1
    elif code in _DEBIT_CODES:
        sign = -1
    else:
        raise reject(
            path,
            "not a transaction type code",
            line=record.line,
            field="type code",
            value=type_code,
        )
    if not text.isdigit():
        raise reject(
            path,
            "amount is not a whole number of minor units",
            line=record.line,
            field="amount",
            value=text,
        )
    places = 0 if currency in _ZERO_DECIMAL else 2
    try:
        return sign * Decimal(text).scaleb(-places)
    except InvalidOperation:
        raise reject(
            path, "amount is not a number", line=record.line, field="amount", value=text
        ) from None


def _with_id(line: BankLine, bank_id: str) -> BankLine:
    return replace(line, bank_id=bank_id)
