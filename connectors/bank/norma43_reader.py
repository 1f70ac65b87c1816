"""Read Spanish Norma 43 (AEB43 / CSB43) fixed-width account statements.

Records of 80 characters: 11 opens an account (bank, branch, account, dates,
opening balance, ISO numeric currency), 22 is a movement (operation and value
dates, concepts, 1 debit / 2 credit, 14-digit amount in cents, document number,
two references), 23 adds up to five lines of concept text to the 22 before it,
24 is an equivalence in another currency, 33 closes the account with counts and
totals of debits and credits, and 88 ends the file. A movement is booked on its
operation date; its id is a fingerprint, as the format carries none. The 33
counts and totals must agree with the movements read (else a truncated or
damaged file) and the 88 trailer must be there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from arbridge.connectors.bank._errors import reject
from arbridge.connectors.bank._fingerprint import Fingerprinter
from arbridge.domain.records import BankLine

HEADER = re.compile(rb"11\d{30}[12]\d{14}\d{3}")
_CURRENCIES = {
    "978": "EUR",
    "840": "USD",
    "826": "GBP",
    "756": "CHF",
    "392": "JPY",
    "752": "SEK",
    "578": "NOK",
    "208": "DKK",
    "124": "CAD",
    "036": "AUD",
    "484": "MXN",
    "985": "PLN",
}
_SIGN = {"1": -1, "2": 1}


@dataclass(slots=True)
class _Movement:
    line: int
    booked_on: date
    amount: Decimal
    references: tuple[str, ...]
    text: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Account:
    line: int
    currency: str
    movements: list[_Movement] = field(default_factory=list)


def read_norma43_statement(
    path: Path, *, account: str, currency: str, data: bytes | None = None
) -> list[BankLine]:
    """Parse a Norma 43 file into bank lines, all or nothing.

    Raises:
        BadInputError: a record is unknown, short or malformed, the 33 totals
            disagree with the movements, or the 88 trailer is missing.
    """
    raw = path.read_bytes() if data is None else data
    accounts = _accounts(path, _decode(raw), currency)
    fingerprints = Fingerprinter()
    lines = []
    for acct in accounts:
        for move in acct.movements:
            text = " ".join(" ".join(move.text).split())
            lines.append(
                BankLine(
                    account=account,
                    bank_id=fingerprints.next_id(move.booked_on, move.amount, text),
                    booked_on=move.booked_on,
                    amount=move.amount,
                    currency=acct.currency,
                    description=text,
                    references=move.references,
                    source_file=str(path),
                    source_line=move.line,
                )
            )
    return lines


def _accounts(path: Path, text: str, default_currency: str) -> list[_Account]:
    accounts: list[_Account] = []
    current: _Account | None = None
    ended = False
    for number, physical in enumerate(text.splitlines(), start=1):
        record = physical.rstrip("\r\n\x1a")
        if not record.strip():
            continue
        if ended:
            raise reject(path, "record after the 88 end of file", line=number, field="record")
        code = record[:2]
        if code == "11":
            current = _Account(line=number, currency=_currency(record[47:50], default_currency))
            accounts.append(current)
        elif code == "88":
            ended = True
        elif current is None:
            raise reject(path, "a Norma 43 file starts with an 11 record", line=number, field="11")
        elif code == "22":
            current.movements.append(_movement(path, record, number))
        elif code == "23":
            _concepts(path, current, record, number)
        elif code == "33":
            _check_totals(path, current, record, number)
        elif code != "24":
            raise reject(path, "unknown Norma 43 record", line=number, field="record", value=code)
    if not accounts:
        raise reject(path, "a Norma 43 file starts with an 11 record", line=1, field="11")
    if not ended:
        raise reject(path, "no 88 end-of-file record: the file is truncated", field="88")
    return accounts


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")  # the banks' usual ISO-8859-1; decodes anything


def _currency(code: str, default: str) -> str:
    return _CURRENCIES.get(code, default)


def _movement(path: Path, record: str, number: int) -> _Movement:
    if len(record.rstrip()) < 42:  # noqa: PLR2004 - a 22 record needs its amount (to column 42)
        raise reject(path, "22 record is too short", line=number, field="22", value=record)
    sign = _SIGN.get(record[27])
    if sign is None:
        raise reject(
            path, "debit/credit mark is not 1 or 2", line=number, field="D/H", value=record[27]
        )
    refs = (record[42:52], record[52:64], record[64:80])
    return _Movement(
        line=number,
        booked_on=_date(path, record[10:16], number, "operation date"),
        amount=sign * _cents(path, record[28:42], number, "amount"),
        references=tuple(r.strip() for r in refs if r.strip().strip("0")),
    )


def _concepts(path: Path, account: _Account, record: str, number: int) -> None:
    if not account.movements:
        raise reject(path, "23 concept record before any 22 movement", line=number, field="23")
    account.movements[-1].text += [record[4:42], record[42:80]]


def _check_totals(path: Path, account: _Account, record: str, number: int) -> None:
    debits = [m.amount for m in account.movements if m.amount < 0]
    credits = [m.amount for m in account.movements if m.amount >= 0]
    expected = (
        ("debit count", record[20:25], Decimal(len(debits))),
        ("debit total", record[25:39], -sum(debits, Decimal(0))),
        ("credit count", record[39:44], Decimal(len(credits))),
        ("credit total", record[44:58], sum(credits, Decimal(0))),
    )
    for name, text, found in expected:
        value = _cents(path, text, number, name) if "total" in name else _int(path, text, number)
        if value != found:
            raise reject(
                path,
                f"33 {name} {value} disagrees with the {found} read: damaged or truncated file",
                line=number,
                field=name,
                value=text,
            )


def _int(path: Path, text: str, number: int) -> Decimal:
    if not text.isdigit():
        raise reject(path, "count is not a number", line=number, field="count", value=text)
    return Decimal(int(text))


def _cents(path: Path, text: str, number: int, name: str) -> Decimal:
    if not text.isdigit():
        raise reject(path, f"{name} is not 14 digits of cents", line=number, field=name, value=text)
    return Decimal(int(text)).scaleb(-2)


def _date(path: Path, text: str, number: int, name: str) -> date:
    try:
        return date(2000 + int(text[:2]), int(text[2:4]), int(text[4:6]))
    except ValueError:
        raise reject(path, "not a YYMMDD date", line=number, field=name, value=text) from None
