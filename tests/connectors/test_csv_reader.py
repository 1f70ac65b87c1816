"""The CSV bank reader: profiles, and bad files rejected whole with file, line and field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from arbridge.connectors.bank import CsvProfile
from arbridge.connectors.bank.csv_reader import read_csv_statement
from arbridge.domain.errors import BadInputError
from arbridge.domain.records import BankLine
from tests.conftest import CONTRACT_PROFILE

CONTRACT = CONTRACT_PROFILE
HEADER = "Date,Description,Amount,Transaction ID\n"


def _read(tmp_path: Path, text: str, profile: CsvProfile = CONTRACT, **kw: str) -> list[BankLine]:
    path = tmp_path / "statement.csv"
    path.write_bytes(text.encode(kw.get("encoding", "utf-8")))
    return read_csv_statement(path, profile, account="operating", currency="USD")


def test_contract_profile_reads_lines(tmp_path: Path) -> None:
    lines = _read(
        tmp_path, HEADER + '11/02/2026,"ACME, INC INV-1",1250.00,TX1\n11/03/2026,FEE,-2.5,TX2\n'
    )

    assert [(ln.bank_id, ln.booked_on, ln.amount) for ln in lines] == [
        ("TX1", date(2026, 11, 2), Decimal("1250.00")),
        ("TX2", date(2026, 11, 3), Decimal("-2.50")),
    ]
    assert lines[0].description == "ACME, INC INV-1"
    assert lines[0].source_line == 2
    assert lines[0].is_credit
    assert not lines[1].is_credit


def test_wrong_header_names_the_missing_column(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as info:
        _read(tmp_path, "Date,Memo,Amount,Transaction ID\n11/02/2026,x,1.00,T\n")

    (location,) = info.value.locations
    assert (location.line, location.field) == (1, "Description")
    assert "statement.csv:1" in str(info.value)


def test_every_bad_row_is_named_and_no_line_is_returned(tmp_path: Path) -> None:
    text = (
        HEADER
        + "11/02/2026,ok,1.00,T1\n2026-11-03,bad date,1.00,T2\n11/04/2026,bad amount,1.0x,T3\n"
    )

    with pytest.raises(BadInputError) as info:
        _read(tmp_path, text)

    found = [(loc.line, loc.field, loc.value) for loc in info.value.locations]
    assert found == [(3, "Date", "2026-11-03"), (4, "Amount", "1.0x")]


def test_duplicate_transaction_id_in_one_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as info:
        _read(tmp_path, HEADER + "11/02/2026,a,1.00,T1\n11/02/2026,b,2.00,T1\n")

    assert info.value.locations[0].line == 3
    assert info.value.locations[0].field == "Transaction ID"


def test_debit_credit_columns_decimal_comma_and_cp1252(tmp_path: Path) -> None:
    profile = CsvProfile(
        date_column="Buchungstag",
        date_format="%d.%m.%Y",
        description_columns=("Auftraggeber", "Verwendungszweck"),
        debit_column="Soll",
        credit_column="Haben",
        decimal_sep=",",
        thousands_sep=".",
        delimiter=";",
        encoding="cp1252",
        skip_lines=2,
    )
    text = (
        "Kontoauszug\nKonto 1234\n"
        "Buchungstag;Auftraggeber;Verwendungszweck;Soll;Haben\n"
        "02.11.2026;Müller GmbH;RE 4711;;1.234,56\n"
        "03.11.2026;Bank;Gebühr;9,90;\n"
    )

    lines = _read(tmp_path, text, profile, encoding="cp1252")

    assert [ln.amount for ln in lines] == [Decimal("1234.56"), Decimal("-9.90")]
    assert lines[0].description == "Müller GmbH RE 4711"
    assert lines[0].source_line == 4
    assert lines[0].bank_id  # no id column: a stable fingerprint is made


def test_fingerprint_ids_are_stable_and_distinguish_identical_lines(tmp_path: Path) -> None:
    profile = CsvProfile(
        date_column="Date",
        date_format="%m/%d/%Y",
        description_columns=("Description",),
        amount_column="Amount",
    )
    text = "Date,Description,Amount\n11/02/2026,a,1.00\n11/02/2026,a,1.00\n"

    first = [ln.bank_id for ln in _read(tmp_path, text, profile)]
    again = [ln.bank_id for ln in _read(tmp_path, text, profile)]

    assert first == again
    assert len(set(first)) == 2


def test_text_in_the_wrong_encoding_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "statement.csv"
    path.write_bytes(HEADER.encode() + b"11/02/2026,M\xfcller,1.00,T1\n")

    with pytest.raises(BadInputError, match="not valid utf-8-sig") as info:
        read_csv_statement(path, CONTRACT, account="a", currency="USD")

    assert info.value.locations[0].line == 2
