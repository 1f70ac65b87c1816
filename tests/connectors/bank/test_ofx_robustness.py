"""Every way `ofxparse` 0.21 fails on real files, each as a small inline sample."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from arbridge.connectors.bank.ofx_reader import read_ofx_statement
from arbridge.domain.errors import BadInputError
from arbridge.domain.records import BankLine

HEADER = (
    "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\n"
    "ENCODING:{encoding}\nCHARSET:{charset}\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n"
)


def trn(
    fitid: str = "T1",
    amount: str = "12.50",
    posted: str = "20240102",
    name: str = "ACME CORP",
    memo: str = "INV-1001",
) -> str:
    return (
        f"<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>{posted}<TRNAMT>{amount}"
        f"<FITID>{fitid}<NAME>{name}<MEMO>{memo}</STMTTRN>\n"
    )


def stmt(*transactions: str, acctid: str = "111", curdef: str = "USD") -> str:
    return (
        f"<STMTTRNRS><STMTRS><CURDEF>{curdef}<BANKACCTFROM><BANKID>1<ACCTID>{acctid}"
        "<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST><DTSTART>20240101<DTEND>20240131\n"
        + "".join(transactions)
        + "</BANKTRANLIST><LEDGERBAL><BALAMT>100.00<DTASOF>20240131</LEDGERBAL>"
        "</STMTRS></STMTTRNRS>\n"
    )


def body(*statements: str) -> str:
    return "<OFX><BANKMSGSRSV1>\n" + "".join(statements) + "</BANKMSGSRSV1></OFX>\n"


def read(tmp_path: Path, content: bytes | str) -> list[BankLine]:
    path = tmp_path / "statement.ofx"
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return read_ofx_statement(path, account="operating", currency="EUR")


def test_charset_none(tmp_path: Path) -> None:
    """`CHARSET:NONE` (LookupError in ofxparse) reads."""
    (line,) = read(tmp_path, HEADER.format(encoding="USASCII", charset="NONE") + body(stmt(trn())))
    assert line.amount == Decimal("12.50")


def test_encoding_iso_8859_1(tmp_path: Path) -> None:
    """`ENCODING:ISO-8859-1` (UnboundLocalError in ofxparse) reads, accents intact."""
    text = HEADER.format(encoding="ISO-8859-1", charset="NONE") + body(
        stmt(trn(name="Café Müller"))
    )
    (line,) = read(tmp_path, text.encode("latin-1"))
    assert line.payer_name == "Café Müller"


def test_charset_1252_header_over_utf8_body(tmp_path: Path) -> None:
    """A UTF-8 body under `CHARSET:1252` is not garbled into mojibake."""
    text = HEADER.format(encoding="USASCII", charset="1252") + body(
        stmt(trn(name="Société Générale"))
    )
    (line,) = read(tmp_path, text.encode("utf-8"))
    assert line.payer_name == "Société Générale"


def test_header_inside_comment(tmp_path: Path) -> None:
    """A header wrapped in `<!-- -->` reads."""
    text = (
        "<!--\n" + HEADER.format(encoding="USASCII", charset="1252") + "-->\n" + body(stmt(trn()))
    )
    assert len(read(tmp_path, text)) == 1


def test_no_header(tmp_path: Path) -> None:
    """A body with no header at all reads."""
    assert len(read(tmp_path, body(stmt(trn())))) == 1


def test_ofx2_xml_header_declared_encoding_is_honoured(tmp_path: Path) -> None:
    """An OFX 2 file declaring ISO-8859-1 in its XML declaration is decoded with it."""
    text = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<?OFX OFXHEADER="200" VERSION="211"?>\n'
        "<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR</CURDEF><BANKACCTFROM><ACCTID>9"
        "</ACCTID></BANKACCTFROM><BANKTRANLIST><STMTTRN><TRNTYPE>CREDIT</TRNTYPE>"
        "<DTPOSTED>20240102</DTPOSTED><TRNAMT>5.00</TRNAMT><FITID>X1</FITID>"
        "<NAME>Zoë &amp; Søn</NAME></STMTTRN></BANKTRANLIST></STMTRS></STMTTRNRS>"
        "</BANKMSGSRSV1></OFX>\n"
    )
    (line,) = read(tmp_path, text.encode("latin-1"))
    assert line.payer_name == "Zoë & Søn"
    assert line.currency == "EUR"


def test_header_value_with_colon_and_leading_blank_lines(tmp_path: Path) -> None:
    """Leading blank lines and `NEWFILEUID:a:b` do not stop the read."""
    header = HEADER.format(encoding="USASCII", charset="1252").replace(
        "NEWFILEUID:NONE", "NEWFILEUID:2024:01:02"
    )
    assert len(read(tmp_path, "\n\n\r\n" + header + body(stmt(trn())))) == 1


def test_crlf_line_endings(tmp_path: Path) -> None:
    """CRLF files read the same as LF files."""
    text = (HEADER.format(encoding="USASCII", charset="1252") + body(stmt(trn()))).replace(
        "\n", "\r\n"
    )
    assert read(tmp_path, text)[0].bank_id == "T1"


def test_empty_name_and_fitid_keep_the_line_with_a_fingerprint(tmp_path: Path) -> None:
    """Empty NAME or FITID neither fail the file nor drop the line."""
    lines = read(tmp_path, body(stmt(trn(fitid="", name=""), trn(fitid="T2", name=""))))
    assert len(lines) == 2
    assert lines[0].bank_id.startswith("fp-")
    assert lines[0].payer_name is None
    assert lines[0].description == "INV-1001"
    assert lines[1].bank_id == "T2"


def test_fingerprint_is_stable_across_files(tmp_path: Path) -> None:
    """The same id-less line gets the same id when the statement is re-sent."""
    first = read(tmp_path, body(stmt(trn(fitid=""))))
    again = read(tmp_path, body(stmt(trn(fitid=""))))
    assert first[0].bank_id == again[0].bank_id


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("1,000", "1000"),
        ("1,000.50", "1000.50"),
        ("-200,00", "-200.00"),
        ("1.000,50", "1000.50"),
        ("(70.49)", "-70.49"),
        ("+12.5", "12.5"),
    ],
)
def test_amounts_as_banks_write_them(tmp_path: Path, written: str, value: str) -> None:
    """`1,000` is a thousand (not 1.000) and `(70.49)` is negative (not an error)."""
    (line,) = read(tmp_path, body(stmt(trn(amount=written))))
    assert line.amount == Decimal(value)


def test_posting_date_is_the_statements_own_date(tmp_path: Path) -> None:
    """`20240102[+10:AEST]` is booked on 2 January, not shifted to UTC's 1 January."""
    (line,) = read(tmp_path, body(stmt(trn(posted="20240102080000.000[+10:AEST]"))))
    assert line.booked_on == date(2024, 1, 2)


def test_every_account_and_statement_is_read(tmp_path: Path) -> None:
    """All statements of a multi-account file are read, ids qualified by account."""
    text = body(stmt(trn("A"), acctid="111"), stmt(trn("A"), trn("B"), acctid="222", curdef="CAD"))
    lines = read(tmp_path, text)
    assert [(line.bank_id, line.currency) for line in lines] == [
        ("111/A", "USD"),
        ("222/A", "CAD"),
        ("222/B", "CAD"),
    ]


def test_credit_card_statement(tmp_path: Path) -> None:
    """CCSTMTRS statements read like bank statements."""
    text = body(stmt(trn("C1", amount="-9.99"))).replace("STMTRS>", "CCSTMTRS>")
    text = text.replace("<STMTRS>", "<CCSTMTRS>").replace("BANKACCTFROM", "CCACCTFROM")
    (line,) = read(tmp_path, text)
    assert line.amount == Decimal("-9.99")


def test_concurrent_parses_do_not_share_state(tmp_path: Path) -> None:
    """Parses in threads keep their own results (no options kept on a class)."""
    results: dict[int, list[str]] = {}

    def work(n: int) -> None:
        folder = tmp_path / str(n)
        folder.mkdir()
        lines = read(folder, body(stmt(*(trn(f"{n}-{i}") for i in range(200)))))
        results[n] = [line.bank_id for line in lines]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(ids == [f"{n}-{i}" for i in range(200)] for n, ids in results.items())
    assert len(results) == 4


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (body(stmt(trn(amount="12.x"))), "TRNAMT"),
        (body(stmt(trn(posted="2024-13"))), "DTPOSTED"),
        (body(stmt(trn(posted="20241340"))), "DTPOSTED"),
        (body(stmt(trn(amount=""))), "TRNAMT"),
        (body(stmt(trn(), trn())), "FITID"),
        (body(stmt(trn()))[:-40], "STMTRS"),
    ],
)
def test_broken_file_is_rejected_whole_naming_line_and_field(
    tmp_path: Path, content: str, field: str
) -> None:
    """Bad amounts, dates, repeated ids and truncation reject the file, never drop a line."""
    with pytest.raises(BadInputError) as info:
        read(tmp_path, content)
    location = info.value.locations[0]
    assert location.field == field
    assert location.line is not None
    assert location.file.endswith("statement.ofx")


def test_errors_name_the_right_line_inside_and_after_a_run_of_transactions(
    tmp_path: Path,
) -> None:
    """Transactions are read in runs, cut out of the body; line numbers must not move."""
    many = "".join(trn(fitid=f"T{i}").replace("<TRNAMT>", "\n<TRNAMT>") for i in range(5))
    text = HEADER.format(encoding="USASCII", charset="1252") + body(stmt(many))
    bad_amount = text.replace("12.50<FITID>T3", "12,5x<FITID>T3")
    with pytest.raises(BadInputError) as caught:
        read(tmp_path, bad_amount)
    wanted = next(
        n for n, line in enumerate(bad_amount.splitlines(), 1) if line.startswith("<TRNAMT>12,5x")
    )
    assert (caught.value.locations[0].line, caught.value.locations[0].field) == (wanted, "TRNAMT")

    bad_balance = text.replace("<BALAMT>100.00", "<BALAMT>1OO.00")
    with pytest.raises(BadInputError) as caught:
        read(tmp_path, bad_balance)
    wanted = next(n for n, line in enumerate(bad_balance.splitlines(), 1) if "1OO.00" in line)
    assert caught.value.locations[0].line == wanted
    assert caught.value.locations[0].field == "LEDGERBAL.BALAMT"
