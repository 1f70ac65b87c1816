"""Read a bank's CSV export described by a declarative profile."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from arbridge.connectors.bank._fingerprint import Fingerprinter
from arbridge.domain.errors import BadInputError, SourceLocation
from arbridge.domain.money import parse_money
from arbridge.domain.records import BankLine

MAX_REPORTED_ERRORS = 20


class AmountLayout(StrEnum):
    """How a CSV carries amounts."""

    SIGNED = "signed"
    DEBIT_CREDIT = "debit_credit"


@dataclass(frozen=True, slots=True, kw_only=True)
class CsvProfile:
    """Which columns hold what, and how values are written."""

    date_column: str
    date_format: str
    description_columns: tuple[str, ...]
    amount_column: str | None = None
    debit_column: str | None = None
    credit_column: str | None = None
    transaction_id_column: str | None = None
    payer_column: str | None = None
    decimal_sep: str = "."
    thousands_sep: str | None = None
    invert_sign: bool = False
    description_separator: str = " "
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    skip_lines: int = 0
    columns: tuple[str, ...] = ()  # a headerless file: the names of its columns, in order
    direction_column: str | None = None  # amounts unsigned; a debit mark here makes them negative
    debit_marks: tuple[str, ...] = ()
    currency_column: str | None = None  # each row's own currency
    keep_column: str | None = None  # only rows whose value here is one of keep_values
    keep_values: tuple[str, ...] = ()
    skip_zero: bool = False  # rows of amount 0 (bank notes, not money) are left out
    account_column: str | None = None  # the statement's own account: one per file

    @property
    def layout(self) -> AmountLayout:
        """Signed single column, or a debit/credit pair."""
        return AmountLayout.SIGNED if self.amount_column else AmountLayout.DEBIT_CREDIT

    def required_columns(self) -> tuple[str, ...]:
        """Every header the file must have."""
        cols = [self.date_column, *self.description_columns]
        cols += [c for c in (self.amount_column, self.debit_column, self.credit_column) if c]
        cols += [c for c in (self.transaction_id_column, self.payer_column) if c]
        cols += [c for c in (self.direction_column, self.currency_column, self.keep_column) if c]
        cols += [self.account_column] if self.account_column else []
        return tuple(dict.fromkeys(cols))


def read_csv_statement(
    path: Path, profile: CsvProfile, *, account: str, currency: str, data: bytes | None = None
) -> list[BankLine]:
    """Parse a CSV statement, all lines or none.

    Raises:
        BadInputError: naming file, line and field of every bad row (first 20).
    """
    text = _decode(path, path.read_bytes() if data is None else data, profile.encoding)
    rows = io.StringIO(text)
    for _ in range(profile.skip_lines):
        rows.readline()
    names = list(profile.columns) or None
    reader = csv.DictReader(rows, fieldnames=names, delimiter=profile.delimiter)
    if names is None:
        _check_header(path, reader.fieldnames, profile, profile.skip_lines + 1)
    parser = _RowParser(path, profile, account=account, currency=currency)
    for row in reader:
        parser.parse(row, profile.skip_lines + reader.line_num)
    if parser.errors:
        raise BadInputError(f"{len(parser.errors)} bad row(s) in bank statement", *parser.errors)
    if not parser.rows:
        where = SourceLocation(file=str(path), line=profile.skip_lines + 1)
        raise BadInputError("the CSV holds no rows (an empty export)", where)
    return parser.lines


def _decode(path: Path, raw: bytes, encoding: str) -> str:
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        where = SourceLocation(file=str(path), line=line)
        raise BadInputError(
            f"not valid {encoding} text (byte {exc.start}); check the profile's encoding", where
        ) from None
    if "\x00" in text:  # UTF-16 read as a single-byte or UTF-8 text
        where = SourceLocation(file=str(path), line=text.count("\n", 0, text.index("\x00")) + 1)
        raise BadInputError(
            f"NUL characters: not {encoding} text (UTF-16?); check the profile's encoding", where
        )
    return text


def _check_header(path: Path, fieldnames: object, profile: CsvProfile, line: int) -> None:
    present = {str(n).strip() for n in fieldnames} if isinstance(fieldnames, list) else set()
    missing = [c for c in profile.required_columns() if c not in present]
    if missing:
        where = [SourceLocation(file=str(path), line=line, field=c) for c in missing]
        found = ", ".join(sorted(present)) or "nothing"
        raise BadInputError(f"header lacks required column(s); found: {found}", *where)


class _RowParser:
    """Turns rows into BankLines, collecting errors instead of stopping at the first."""

    def __init__(self, path: Path, profile: CsvProfile, *, account: str, currency: str) -> None:
        self.path, self.profile, self.account, self.currency = path, profile, account, currency
        self.lines: list[BankLine] = []
        self.errors: list[SourceLocation] = []
        self._fingerprints = Fingerprinter()
        self._ids: dict[str, int] = {}
        self.rows = 0
        self._account: tuple[str, int] | None = None

    def parse(self, raw: dict[str | None, str | None], line: int) -> None:
        row = {str(k).strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            return
        self.rows += 1
        try:
            self._append(row, line)
        except _FieldError as exc:
            if len(self.errors) < MAX_REPORTED_ERRORS:
                self.errors.append(
                    SourceLocation(file=str(self.path), line=line, field=exc.field, value=exc.value)
                )

    def _append(self, row: dict[str, str], line: int) -> None:
        p = self.profile
        if p.keep_column is not None and row[p.keep_column].upper() not in p.keep_values:
            return
        if p.account_column:
            self._same_account(row[p.account_column], line)
        booked_on = self._date(row)
        amount = self._amount(row)
        if p.skip_zero and amount == 0:
            return
        description = self.profile.description_separator.join(
            row[c] for c in self.profile.description_columns if row[c]
        )
        bank_id = self._bank_id(row, line, booked_on, amount, description)
        payer = row[self.profile.payer_column] if self.profile.payer_column else None
        self.lines.append(
            BankLine(
                account=self.account,
                bank_id=bank_id,
                booked_on=booked_on,
                amount=amount,
                currency=(row[p.currency_column] if p.currency_column else "").upper()
                or self.currency,
                description=description,
                payer_name=payer or None,
                source_file=str(self.path),
                source_line=line,
            )
        )

    def _same_account(self, own: str, line: int) -> None:
        """A statement is one account's: a row of another account is an error."""
        if self._account is None:
            self._account = (own, line)
        elif own != self._account[0]:
            column = self.profile.account_column or ""
            first, at = self._account
            raise _FieldError(column, f"{own} (the file is {first}'s, from line {at})")

    def _date(self, row: dict[str, str]) -> date:
        column = self.profile.date_column
        try:
            return datetime.strptime(row[column], self.profile.date_format).date()  # noqa: DTZ007 - a date
        except ValueError:
            raise _FieldError(column, row[column]) from None

    def _amount(self, row: dict[str, str]) -> Decimal:
        p = self.profile
        if p.amount_column is not None:
            value = self._money(p.amount_column, row[p.amount_column])
        else:
            assert p.debit_column is not None
            assert p.credit_column is not None
            debit, credit = row[p.debit_column], row[p.credit_column]
            out = self._money(p.debit_column, debit) if debit else None
            into = self._money(p.credit_column, credit) if credit else None
            if (out is None and into is None) or (out and into):  # `0,00` beside an amount is none
                column = f"{p.debit_column}/{p.credit_column}"
                raise _FieldError(column, f"{debit}/{credit}")
            value = abs(into) if into else -abs(out or Decimal(0))
        if p.direction_column is not None:
            outgoing = row[p.direction_column].upper() in p.debit_marks
            value = -abs(value) if outgoing else abs(value)
        return -value if p.invert_sign else value

    def _money(self, column: str, text: str) -> Decimal:
        try:
            return parse_money(
                text, decimal_sep=self.profile.decimal_sep, thousands_sep=self.profile.thousands_sep
            )
        except ValueError:
            raise _FieldError(column, text) from None

    def _bank_id(
        self, row: dict[str, str], line: int, booked_on: date, amount: Decimal, text: str
    ) -> str:
        column = self.profile.transaction_id_column
        if column is None or not row[column]:
            return self._fingerprints.next_id(booked_on, amount, text)
        bank_id = row[column]
        if bank_id in self._ids:
            raise _FieldError(column, f"{bank_id} (already on line {self._ids[bank_id]})")
        self._ids[bank_id] = line
        return bank_id


class _FieldError(Exception):
    def __init__(self, field: str, value: str) -> None:
        self.field, self.value = field, value
