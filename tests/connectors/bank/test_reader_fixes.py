"""Reader faults the golden samples showed, each pinned on a small statement of its own."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from arbridge.connectors.bank.reader import read_statement
from arbridge.domain.errors import BadInputError
from arbridge.domain.records import BankLine

CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.04">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>M</MsgId><CreDtTm>2024-03-15T18:30:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>S</Id>
      <Ntry>
        <Amt Ccy="EUR">900.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <BookgDt><Dt>2024-03-16</Dt></BookgDt>
        <AcctSvcrRef>E-1</AcctSvcrRef>
        <NtryDtls>
          <TxDtls><RltdPties><Dbtr><Nm>Ferrari SpA</Nm></Dbtr></RltdPties>
            <RmtInf><Ustrd>Fattura 12</Ustrd></RmtInf></TxDtls>
          <TxDtls><RmtInf><Strd><RfrdDocInf><Nb>INV-13</Nb></RfrdDocInf></Strd></RmtInf></TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">{amount}</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <BookgDt><Dt>2024-03-16</Dt></BookgDt>
        <AcctSvcrRef>E-2</AcctSvcrRef>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""
CAMT_SECOND_ENTRY_LINE = 18

MT940 = """:20:REF
:25:DE89370400440532013000
:28C:1
:60F:C240316EUR500,00
:61:2403160316RC75,00NTRFNONREF
:86:166?00STORNO?20SVWZ+Rueckbuchung?31DE02120300000000202051?32Mueller GmbH
:61:2403160316RD20,00NTRFNONREF
:86:Reversal of a debit
:61:2403170317{mark}{amount}NTRFNONREF
:86:Third line
:62F:C240317EUR445,00
"""


def _read(tmp_path: Path, name: str, text: str) -> list[BankLine]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_statement(path, account="a", currency="EUR", csv_profile=None)


def test_camt_lines_and_errors_name_their_line(tmp_path: Path) -> None:
    """A camt line says where its entry is, and a bad entry's error names its line."""
    lines = _read(tmp_path, "ok.xml", CAMT.format(amount="5.00"))
    assert [line.source_line for line in lines] == [7, CAMT_SECOND_ENTRY_LINE]
    with pytest.raises(BadInputError) as caught:
        _read(tmp_path, "bad.xml", CAMT.format(amount="5,00"))
    where = caught.value.locations[0]
    assert (where.line, where.field, where.value) == (CAMT_SECOND_ENTRY_LINE, "Ntry.Amt", "5,00")


def test_camt_batch_without_amounts_keeps_every_remittance(tmp_path: Path) -> None:
    """One line for the batch, carrying the remittance of every TxDtls, not only the first."""
    first = _read(tmp_path, "batch.xml", CAMT.format(amount="5.00"))[0]
    assert first.amount == Decimal("900.00")
    assert first.payer_name == "Ferrari SpA"
    assert "Fattura 12" in first.description
    assert "INV-13" in first.references


def test_bai2_slash_ending_a_continued_text_is_not_text(tmp_path: Path) -> None:
    """A '/' closing a 16 record followed by an 88 is a delimiter, as at the end."""
    text = (
        "01,1,2,240321,0500,1,,,2/\n02,2,1,1,240320,,USD,2/\n03,9,USD/\n"
        "16,115,50000,Z,LBX2,,LOCKBOX DEPOSIT/\n88,REMITTER: WAYNE/\n88,INV 9001/\n"
        "49,50000,5/\n98,50000,1,7/\n99,50000,1,9/\n"
    )
    (line,) = _read(tmp_path, "lockbox.bai", text)
    assert line.description == "LOCKBOX DEPOSIT REMITTER: WAYNE INV 9001"


def test_mt940_reversal_marks_and_structured_payer(tmp_path: Path) -> None:
    """RC (reversal of a credit) is a debit, RD a credit; ?31 is the account, not the name."""
    lines = _read(tmp_path, "rev.sta", MT940.format(mark="C", amount="1,00"))
    assert [line.amount for line in lines] == [Decimal("-75.00"), Decimal("20.00"), Decimal(1)]
    assert lines[0].payer_name == "Mueller GmbH"
    assert lines[0].payer_account == "DE02120300000000202051"
    assert [line.source_line for line in lines] == [5, 7, 9]


@pytest.mark.parametrize(
    ("mark", "amount", "field"),
    [("D", "45.67", ":61: amount"), ("X", "1,00", ":61:")],
)
def test_mt940_unreadable_statement_line_is_rejected_not_dropped(
    tmp_path: Path, mark: str, amount: str, field: str
) -> None:
    """`mt-940` skips a :61: it cannot match; the reader rejects the file naming its line."""
    with pytest.raises(BadInputError) as caught:
        _read(tmp_path, "bad.sta", MT940.format(mark=mark, amount=amount))
    where = caught.value.locations[0]
    assert (where.line, where.field) == (9, field)


@pytest.mark.parametrize("name", ["s.sta", "s.bai", "s.ofx"])
def test_utf16_statement_with_a_byte_order_mark_is_read(tmp_path: Path, name: str) -> None:
    """A Windows "Unicode" (UTF-16) export reads like its UTF-8 twin."""
    sources = {
        "s.sta": MT940.format(mark="C", amount="1,00"),
        "s.bai": "01,1,2,240321,0500,1,,,2/\n02,2,1,1,240320,,USD,2/\n03,9,USD/\n"
        "16,115,50000,Z,LBX2,,MÜLLER/\n49,50000,3/\n98,50000,1,5/\n99,50000,1,7/\n",
        "s.ofx": "OFXHEADER:100\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR\n"
        "<BANKTRANLIST><STMTTRN><TRNTYPE>CREDIT\n<DTPOSTED>20240301\n<TRNAMT>5.00\n"
        "<FITID>F1\n<NAME>Müller\n</STMTTRN></BANKTRANLIST></STMTRS></STMTTRNRS>"
        "</BANKMSGSRSV1></OFX>\n",
    }
    utf8 = _read(tmp_path, name, sources[name])
    utf16 = tmp_path / ("16" + name)
    utf16.write_bytes(sources[name].encode("utf-16"))
    lines = read_statement(utf16, account="a", currency="EUR", csv_profile=None)
    assert [(x.amount, x.description) for x in lines] == [(x.amount, x.description) for x in utf8]
    assert lines


def test_bai2_utf8_text_is_not_read_as_latin1(tmp_path: Path) -> None:
    """Non-ASCII BAI2 text written in UTF-8 keeps its letters."""
    text = (
        "01,1,2,240321,0500,1,,,2/\n02,2,1,1,240320,,USD,2/\n03,9,USD/\n"
        "16,115,50000,Z,LBX2,,CHÈQUE MÜLLER/\n49,50000,3/\n98,50000,1,5/\n99,50000,1,7/\n"
    )
    (line,) = _read(tmp_path, "utf8.bai", text)
    assert line.description == "CHÈQUE MÜLLER"
