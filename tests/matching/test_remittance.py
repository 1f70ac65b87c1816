"""Remittance inside the bank data: X12 820 RMR segments, camt Strd, creditor references."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from arbridge.connectors.bank.bai2_reader import read_bai2_statement
from arbridge.connectors.bank.camt_reader import read_camt_statement
from arbridge.domain.records import Proposal, ProposalOutcome
from arbridge.matching import match_lines
from arbridge.matching.remittance import Document, read
from tests.matching.books import context, line

Row = tuple[str | None, Decimal, Decimal, str | None]


def _rows(proposal: Proposal) -> list[Row]:
    return [
        (a.invoice_id, a.amount, a.adjustment, a.adjustment_reason) for a in proposal.allocations
    ]


def test_rmr_segments_are_read_with_their_amounts() -> None:
    remit = read(
        line("ACME CTX RMR*IV*INV-0042*PI*980.00*1000.00*20.00~RMR*IV*INV-0043*PI*250.00\\", "1")
    )
    assert remit.documents == (
        Document("INV-0042", Decimal("980.00"), Decimal("1000.00"), Decimal("20.00")),
        Document("INV-0043", Decimal("250.00")),
    )
    assert "980.00" not in remit.text  # the amounts are no invoice numbers to look up


def test_listed_invoices_and_amounts_that_add_up_are_applied_as_listed() -> None:
    """A discount the payer lists is taken as listed, though the terms (NET30) give none."""
    text = "ACME INDUSTRIAL SUPPLY CTX RMR*IV*INV-0042*PI*980.00*1000.00*20.00~RMR*IV*INV-0043*PI*250.00~"
    [proposal] = match_lines([line(text, "1230.00")], context())

    assert proposal.outcome is ProposalOutcome.APPLY, proposal.explanation
    assert _rows(proposal) == [
        ("INV-0042", Decimal("980.00"), Decimal("20.00"), "discount"),
        ("INV-0043", Decimal("250.00"), Decimal("0.00"), None),
    ]
    assert "structured remittance lists INV-0042, INV-0043" in proposal.explanation


def test_listed_amounts_that_do_not_add_up_are_decided_by_the_numbers() -> None:
    text = "ACME INDUSTRIAL SUPPLY RMR*IV*INV-0042*PI*980.00*1000.00*20.00~"
    [proposal] = match_lines([line(text, "1000.00")], context())
    assert _rows(proposal) == [("INV-0042", Decimal("1000.00"), Decimal("0.00"), None)]


def test_listed_remittance_of_another_customers_invoice_is_not_applied_as_listed() -> None:
    text = "DELTA HARBOR LOGISTICS RMR*IV*INV-0043*PI*250.00~"
    [proposal] = match_lines([line(text, "250.00")], context())
    assert proposal.outcome is ProposalOutcome.REVIEW


def test_listed_more_than_is_open_is_not_applied_as_listed() -> None:
    text = "ACME INDUSTRIAL SUPPLY RMR*IV*INV-0050*PI*1600.00~"
    [proposal] = match_lines([line(text, "1600.00")], context())
    assert ("INV-0050", Decimal("1600.00"), Decimal("0.00"), None) not in _rows(proposal)


def _camt(path: Path, strd: str, amount: str) -> Path:
    path.write_text(
        '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">'
        "<BkToCstmrStmt><GrpHdr><MsgId>1</MsgId><CreDtTm>2026-11-06T00:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>1</Id><Ntry><Amt Ccy='USD'>{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
        "<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-06</Dt></BookgDt><AcctSvcrRef>E1</AcctSvcrRef>"
        "<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>ACME INDUSTRIAL SUPPLY</Nm></Dbtr></RltdPties>"
        f"<RmtInf>{strd}</RmtInf></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>",
        encoding="utf-8",
    )
    return path


def test_camt_due_amount_and_discount_without_remitted_amount(tmp_path: Path) -> None:
    strd = (
        "<Strd><RfrdDocInf><Nb>INV-0042</Nb></RfrdDocInf><RfrdDocAmt>"
        "<DuePyblAmt Ccy='USD'>1000.00</DuePyblAmt><DscntApldAmt>15.00</DscntApldAmt>"
        "</RfrdDocAmt></Strd>"
    )
    path = _camt(tmp_path / "s.xml", strd, "985.00")
    [bank_line] = read_camt_statement(path, account="operating", currency="USD")
    [proposal] = match_lines([bank_line], context())

    assert _rows(proposal) == [("INV-0042", Decimal("985.00"), Decimal("15.00"), "discount")]


def test_camt_strd_with_referred_document_amounts_is_applied_as_listed(tmp_path: Path) -> None:
    path = tmp_path / "statement.xml"
    path.write_text(
        '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">'
        "<BkToCstmrStmt><GrpHdr><MsgId>1</MsgId><CreDtTm>2026-11-06T00:00:00</CreDtTm></GrpHdr>"
        "<Stmt><Id>1</Id><Ntry><Amt Ccy='USD'>1230.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
        "<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-06</Dt></BookgDt><AcctSvcrRef>E1</AcctSvcrRef>"
        "<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>ACME INDUSTRIAL SUPPLY</Nm></Dbtr></RltdPties><RmtInf>"
        "<Strd><RfrdDocInf><Nb>INV-0042</Nb></RfrdDocInf><RfrdDocAmt>"
        "<DuePyblAmt Ccy='USD'>1000.00</DuePyblAmt><DscntApldAmt><Amt Ccy='USD'>20.00</Amt></DscntApldAmt>"
        "<RmtdAmt Ccy='USD'>980.00</RmtdAmt></RfrdDocAmt></Strd>"
        "<Strd><RfrdDocInf><Nb>INV-0043</Nb></RfrdDocInf><RfrdDocAmt>"
        "<RmtdAmt Ccy='USD'>250.00</RmtdAmt></RfrdDocAmt></Strd>"
        "</RmtInf></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>",
        encoding="utf-8",
    )
    [bank_line] = read_camt_statement(path, account="operating", currency="USD")
    [proposal] = match_lines([bank_line], context())

    assert _rows(proposal) == [
        ("INV-0042", Decimal("980.00"), Decimal("20.00"), "discount"),
        ("INV-0043", Decimal("250.00"), Decimal("0.00"), None),
    ]


def test_iso_11649_creditor_reference_names_the_invoice() -> None:
    """The reference after RF and its two check digits, read only when the check digits agree."""
    good = read(line("PAYMENT RF18539007547034", "1")).references
    bad = read(line("PAYMENT RF19539007547034", "1")).references
    assert "539007547034" in good
    assert "539007547034" not in bad


def test_belgian_structured_communication_names_the_invoice() -> None:
    """3003 with check 93 (3003 mod 97); the payer's name is not recognised, the amount agrees."""
    [good] = match_lines([line("ACH DEPOSIT +++000/0003/00393+++", "1234.56")], context())
    [bad] = match_lines([line("ACH DEPOSIT +++000/0003/00394+++", "1234.56")], context())

    assert _rows(good) == [("INV-3003", Decimal("1234.56"), Decimal("0.00"), None)]
    assert bad.outcome is ProposalOutcome.REVIEW


def test_finnish_and_swiss_qr_references_are_read_without_check_digit() -> None:
    finnish = read(line("x", "1", references=("12345672",)))
    swiss = read(line("x", "1", references=("210000000003139471430009017",)))
    wrong = read(line("x", "1", references=("12345670",)))

    assert finnish.checked == ("1234567",)
    assert swiss.checked == ("21000000000313947143000901",)
    assert wrong.checked == ()


def test_check_digit_reference_names_an_invoice_only_when_nothing_else_does() -> None:
    """Finnish 3003 + check digit 8 (7-3-1 weights) as a camt creditor reference."""
    [good] = match_lines([line("ACH DEPOSIT", "1234.56", references=("0000030038",))], context())
    [bad] = match_lines([line("ACH DEPOSIT", "1234.56", references=("0000030037",))], context())

    assert _rows(good) == [("INV-3003", Decimal("1234.56"), Decimal("0.00"), None)]
    assert bad.outcome is ProposalOutcome.REVIEW


def test_bai2_ctx_addenda_in_88_records_are_applied_as_listed(tmp_path: Path) -> None:
    """An ACH CTX credit whose EDI 820 RMR segments the bank passes on in 88 records."""
    path = tmp_path / "statement.bai2"
    path.write_text(
        "01,BANK,ARB,261106,0800,1,,,2/\n"
        "02,ARB,021000021,1,261106,0800,USD,2/\n"
        "03,4471,USD,010,100000,,/\n"
        "16,165,123000,Z,BR1,CUST1,ACH CREDIT ACME INDUSTRIAL SUPPLY CTX/\n"
        "88,RMR*IV*INV-0042*PI*980.00*1000.00*20.00~\n"
        "88,RMR*IV*INV-0043*PI*250.00~\n"
        "49,223000,4/\n98,223000,1,6/\n99,223000,1,8/\n",
        encoding="utf-8",
    )
    [bank_line] = read_bai2_statement(path, account="operating", currency="USD")
    [proposal] = match_lines([bank_line], context())

    assert _rows(proposal) == [
        ("INV-0042", Decimal("980.00"), Decimal("20.00"), "discount"),
        ("INV-0043", Decimal("250.00"), Decimal("0.00"), None),
    ]
