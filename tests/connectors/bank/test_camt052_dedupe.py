"""A camt.052 intraday report and the later camt.053 give their shared entries the same ids."""

from __future__ import annotations

from pathlib import Path

from arbridge.connectors.bank import read_statement
from tests.connectors.bank.golden import DATA

STATEMENT = (DATA / "camt053" / "camt053_v02_simple.xml").read_text(encoding="utf-8")


def _as_report(statement: str) -> str:
    """The same entries as an intraday report (camt.052.001.02), the last one not yet booked."""
    report = (
        statement.replace("camt.053.001.02", "camt.052.001.02")
        .replace("BkToCstmrStmt>", "BkToCstmrAcctRpt>")
        .replace("<Stmt>", "<Rpt>")
        .replace("</Stmt>", "</Rpt>")
    )
    head, sep, last = report.rpartition("<Ntry>")
    return (
        head
        + sep
        + last.replace("<Cd>BOOK</Cd>", "<Cd>PDNG</Cd>", 1).replace(
            "<Sts>BOOK</Sts>", "<Sts>PDNG</Sts>", 1
        )
    )


def test_report_entries_carry_the_statement_ids(tmp_path: Path) -> None:
    """Booked entries of the 052 have the 053's ids (the store keeps each once); pending ones wait."""
    report = tmp_path / "intraday.xml"
    report.write_text(_as_report(STATEMENT), encoding="utf-8")
    final = tmp_path / "final.xml"
    final.write_text(STATEMENT, encoding="utf-8")
    early = read_statement(report, account="a", currency="EUR", csv_profile=None)
    late = read_statement(final, account="a", currency="EUR", csv_profile=None)
    assert len(early) == len(late) - 1
    assert {line.bank_id for line in early} < {line.bank_id for line in late}
    assert [(x.amount, x.booked_on) for x in early] == [(x.amount, x.booked_on) for x in late[:-1]]
