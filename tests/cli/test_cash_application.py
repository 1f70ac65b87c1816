"""The engine's adjustments and credits through the real CLI and the contract's csv ERP."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from arbridge.cli import cli


def test_discount_bank_fee_and_overpayment_rows(contract_data: Path) -> None:
    with (contract_data / "erp" / "invoices.csv").open("a", encoding="utf-8") as fh:
        fh.write("INV-2001,C002,2026-11-01,2026-12-01,1000.00,1000.00,USD,2/10 NET30,\n")
        fh.write("INV-2002,C001,2026-11-01,2026-12-01,500.00,500.00,USD,NET30,\n")
    (contract_data / "bank" / "later.csv").write_text(
        "Date,Description,Amount,Transaction ID\n"
        "11/06/2026,BRIGHTWATER FOODS LLC inv 2001,980.00,TX0200\n"
        "11/06/2026,ACME IND SUPPLY #2002,485.00,TX0201\n",
        encoding="utf-8",
    )

    result = CliRunner().invoke(
        cli,
        ["--config", str(contract_data / "arbridge.yaml"), "run", "--once"],
        catch_exceptions=False,
    )

    assert result.exit_code == 0, result.output
    with (contract_data / "out" / "applications.csv").open(encoding="utf-8") as fh:
        rows = {(r["bank_transaction_id"], r["invoice_id"]): r for r in csv.DictReader(fh)}
    discount, fee = rows["TX0200", "INV-2001"], rows["TX0201", "INV-2002"]
    assert (discount["amount"], discount["adjustment"], discount["adjustment_reason"]) == (
        "980.00",
        "20.00",
        "discount",
    )
    assert (fee["amount"], fee["adjustment"], fee["adjustment_reason"]) == (
        "485.00",
        "15.00",
        "bank_fee",
    )
    credit = rows["TX0009", ""]
    assert (credit["customer_id"], credit["amount"], credit["adjustment"]) == ("C005", "70.00", "0")


def _camt(entries: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>T</MsgId><CreDtTm>2026-11-20T00:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>1</Id><Acct><Id><IBAN>DE00TEST</IBAN></Id></Acct>{entries}</Stmt></BkToCstmrStmt></Document>\n"
    )


def _entry(ref: str, amount: str, payer: str, memo: str) -> str:
    return (
        f'<Ntry><Amt Ccy="USD">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
        f"<BookgDt><Dt>2026-11-10</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef><NtryDtls><TxDtls>"
        f"<RltdPties><Dbtr><Nm>{payer}</Nm></Dbtr><DbtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></DbtrAcct></RltdPties>"
        f"<RmtInf><Ustrd>{memo}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
    )


def test_a_bank_account_learned_from_one_payment_identifies_the_next(contract_data: Path) -> None:
    config = contract_data / "arbridge.yaml"
    runner = CliRunner()
    (contract_data / "bank" / "statement-2026-11.csv").unlink()  # the demo's own payments aside
    (contract_data / "bank" / "first.xml").write_text(
        _camt(_entry("CAMT1", "1200.00", "Cobalt Ridge Mining Corp", "INV-1006")), encoding="utf-8"
    )
    assert runner.invoke(cli, ["--config", str(config), "run", "--once"]).exit_code == 0
    (contract_data / "bank" / "second.xml").write_text(
        _camt(_entry("CAMT2", "9800.00", "CRMC TREASURY SVCS", "OCT SETTLEMENT")), encoding="utf-8"
    )

    assert runner.invoke(cli, ["--config", str(config), "run", "--once"]).exit_code == 0

    with (contract_data / "out" / "applications.csv").open(encoding="utf-8") as fh:
        rows = {(r["bank_transaction_id"], r["invoice_id"]) for r in csv.DictReader(fh)}
    assert ("CAMT1", "INV-1006") in rows
    assert ("CAMT2", "INV-1005") in rows  # the payer's name is unknown; its account is not
