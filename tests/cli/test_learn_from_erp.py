"""`arbridge learn propose --from-erp`: payer links from the payments people recorded in the ERP.

Two lines a person recorded for Prairie Mechanical (the bank wrote `PRMC HLDG`) teach that
name; two lines recorded for another customer than the one the text names are suspected
misapplications and teach nothing.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from arbridge.cli import cli
from bench.datasets import CONTRACT_CONFIG

CUSTOMERS = """customer_id,name,parent_id,terms,currency
C1,Prairie Mechanical Group,,NET30,USD
C2,Eagle Retail Group,,NET30,USD
C3,Cobalt Ridge Mining Corp,,NET30,USD
"""
INVOICES = """invoice_id,customer_id,invoice_date,due_date,amount,open_amount,currency,terms,po_number
INV-1,C1,2026-10-01,2026-10-31,120.00,0.00,USD,NET30,
INV-2,C1,2026-10-02,2026-11-01,80.00,0.00,USD,NET30,
INV-3,C2,2026-10-03,2026-11-02,777.77,0.00,USD,NET30,
INV-4,C2,2026-10-04,2026-11-03,555.55,0.00,USD,NET30,
INV-5,C3,2026-10-05,2026-11-04,777.77,777.77,USD,NET30,
INV-6,C3,2026-10-06,2026-11-05,555.55,555.55,USD,NET30,
INV-9,C1,2026-10-07,2026-11-06,812.34,812.34,USD,NET30,
"""
BANK = """Date,Description,Amount,Transaction ID
11/02/2026,PRMC HLDG ACH CREDIT,120.00,TX1
11/03/2026,PRMC HLDG ACH CREDIT,80.00,TX2
11/03/2026,COBALT RIDGE MINING,777.77,TX3
11/04/2026,COBALT RIDGE MINING,555.55,TX4
"""
PAYMENTS = """payment_id,customer_id,invoice_id,amount,date,reference,memo
P-1,C1,INV-1,120.00,2026-11-02,TX1,
P-2,C1,INV-2,80.00,2026-11-03,TX2,
P-3,C2,INV-3,777.77,2026-11-03,TX3,
P-4,C2,INV-4,555.55,2026-11-04,TX4,
"""


def _run(config: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def books(tmp_path: Path, store_url: str) -> Path:
    data = tmp_path / "data"
    (data / "erp").mkdir(parents=True)
    (data / "bank").mkdir()
    (data / "erp" / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    (data / "erp" / "invoices.csv").write_text(INVOICES, encoding="utf-8")
    (data / "erp" / "payments.csv").write_text(PAYMENTS, encoding="utf-8")
    (data / "bank" / "statement.csv").write_text(BANK, encoding="utf-8")
    config = (
        CONTRACT_CONFIG.format(data=data)
        .replace("    applications:", f"    payments: {data}/erp/payments.csv\n    applications:")
        .replace(f"sqlite:///{data}/state.db", store_url)
    )
    (data / "arbridge.yaml").write_text(config, encoding="utf-8")
    return data / "arbridge.yaml"


def _misapplied(config: Path) -> set[str]:
    out = _run(config, "review", "list", "--format", "csv")
    return {
        r["bank_transaction_id"]
        for r in csv.DictReader(io.StringIO(out))
        if r["reason"] == "suspected_misapplication"
    }


def test_names_people_recorded_for_one_customer_are_proposed(books: Path) -> None:
    _run(books, "run", "--once")
    assert _misapplied(books) == {"TX3", "TX4"}  # the premise: recorded on the wrong customer

    out = _run(books, "learn", "propose", "--from-erp")

    assert "2 history lines read; 1 new proposal(s)" in out
    assert "alias:PRMC HLDG -> C1 (seen 2 times)" in out
    assert "COBALT" not in _run(books, "learn", "list")


def test_an_approved_link_from_the_erp_names_the_payer_next_cycle(books: Path) -> None:
    _run(books, "run", "--once")
    _run(books, "learn", "propose", "--from-erp")
    _run(books, "learn", "approve", "--all")
    statement = books.parent / "bank" / "statement.csv"
    statement.write_text(BANK + "11/09/2026,PRMC HLDG ACH CREDIT,812.34,TX9\n", encoding="utf-8")

    _run(books, "run", "--once")

    with (books.parent / "out" / "applications.csv").open(encoding="utf-8") as fh:
        applied = {r["bank_transaction_id"]: r["invoice_id"] for r in csv.DictReader(fh)}
    assert applied.get("TX9") == "INV-9"


def test_propose_needs_a_source(books: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(books), "learn", "propose"])
    assert result.exit_code == 2
    assert "--from-erp" in result.output
