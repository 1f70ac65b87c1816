"""CONTRACT.md §8 through the real CLI: the quickstart layout with a `sales_rep` column."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from arbridge.cli import cli
from bench.datasets import CONTRACT_CONFIG

COLUMNS = [
    "sales_rep",
    "invoice_id",
    "bank_transaction_id",
    "booked_on",
    "cash_amount",
    "rate",
    "commission",
]
PLAN = """
commissions:
  default_rate: "0.03"
  reps: {R-EAST: "0.05"}
"""
CUSTOMERS = [
    ("C001", "Acme Industrial Supply", "", "NET30", "USD"),
    ("C002", "Brightwater Foods", "", "2/10 NET30", "USD"),
    ("C003", "Cobalt Ridge Mining", "", "NET30", "USD"),
]
# invoice, customer, invoice date, amount, terms, sales_rep
INVOICES = [
    ("INV-2001", "C001", "2026-10-20", "1000.10", "NET30", "R-EAST"),
    ("INV-2002", "C001", "2026-10-22", "500.00", "NET30", "R-WEST"),
    ("INV-2003", "C002", "2026-11-01", "2000.00", "2/10 NET30", "R-EAST"),
    ("INV-2004", "C003", "2026-10-15", "300.00", "NET30", ""),
    ("INV-2005", "C003", "2026-10-01", "700.00", "NET30", "R-EAST"),
    ("INV-2006", "C002", "2026-11-20", "800.00", "NET30", "R-WEST"),
    ("INV-2007", "C001", "2026-11-02", "250.00", "NET30", "R-EAST"),
]
# booked (MM/DD/YYYY), description, amount, transaction id
BANK = [
    ("10/31/2026", "COBALT RIDGE MINING INV-2005", "700.00", "TX1"),
    ("11/01/2026", "ACME INDUSTRIAL SUPPLY INV-2001", "1000.10", "TX2"),
    ("11/05/2026", "BRIGHTWATER FOODS INV-2003", "1960.00", "TX3"),  # 2 % discount in terms
    ("11/10/2026", "ACME INDUSTRIAL SUPPLY INV-2002", "500.00", "TX4"),
    ("11/12/2026", "COBALT RIDGE MINING INV-2004", "300.00", "TX5"),
    ("11/30/2026", "ACME INDUSTRIAL SUPPLY INV-2007", "100.10", "TX6"),  # part payment
    ("12/01/2026", "BRIGHTWATER FOODS INV-2006", "800.00", "TX7"),
]


def _write(path: Path, header: list[str], rows: Sequence[tuple[str, ...]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _invoice_rows(with_rep: bool) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for inv, cust, day, amount, terms, rep in INVOICES:
        due = day[:8] + "28"
        row = (inv, cust, day, due, amount, amount, "USD", terms, "")
        rows.append((*row, rep) if with_rep else row)
    return rows


def make_quickstart(root: Path, *, plan: str = PLAN, with_rep: bool = True) -> Path:
    """The contract layout with this module's data; returns the config path."""
    header = (
        "invoice_id,customer_id,invoice_date,due_date,amount,open_amount,currency,terms,po_number"
    )
    columns = header.split(",") + (["sales_rep"] if with_rep else [])
    _write(
        root / "erp" / "customers.csv",
        ["customer_id", "name", "parent_id", "terms", "currency"],
        CUSTOMERS,
    )
    _write(root / "erp" / "invoices.csv", columns, _invoice_rows(with_rep))
    _write(
        root / "bank" / "statement.csv", ["Date", "Description", "Amount", "Transaction ID"], BANK
    )
    config = root / "arbridge.yaml"
    config.write_text(CONTRACT_CONFIG.format(data=root) + plan, encoding="utf-8")
    return config


def _cli(config: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--config", str(config), *args])
    return result.exit_code, result.stdout, result.stderr


def _report(config: Path, start: str, end: str) -> list[dict[str, str]]:
    code, out, err = _cli(config, "commissions", "--from", start, "--to", end, "--format", "csv")
    assert code == 0, err
    reader = csv.DictReader(io.StringIO(out))
    assert reader.fieldnames == COLUMNS
    return list(reader)


def _expected(root: Path, start: str, end: str) -> list[dict[str, str]]:
    """The contract's rows worked out from applications.csv, the invoices and the bank file."""
    reps = {inv: rep for inv, _, _, _, _, rep in INVOICES}
    booked = {tx: f"{day[6:]}-{day[:2]}-{day[3:5]}" for day, _, _, tx in BANK}
    rates = {"R-EAST": Decimal("0.05")}
    with (root / "out" / "applications.csv").open(newline="", encoding="utf-8") as handle:
        applied = list(csv.DictReader(handle))
    rows = []
    for a in applied:
        rep = reps.get(a["invoice_id"], "")
        day = booked[a["bank_transaction_id"]]
        if rep and start <= day <= end:
            rate = rates.get(rep, Decimal("0.03"))
            commission = (Decimal(a["amount"]) * rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
            rows.append(
                {
                    "sales_rep": rep,
                    "invoice_id": a["invoice_id"],
                    "bank_transaction_id": a["bank_transaction_id"],
                    "booked_on": day,
                    "cash_amount": a["amount"],
                    "rate": str(rate),
                    "commission": str(commission),
                }
            )
    return rows


def _key(row: dict[str, str]) -> tuple[str, str]:
    return row["bank_transaction_id"], row["invoice_id"]


def test_the_report_has_one_row_per_application_to_an_invoice_with_a_rep_booked_in_the_period(
    tmp_path: Path,
) -> None:
    config = make_quickstart(tmp_path)
    assert _cli(config, "run", "--once")[0] == 0

    rows = _report(config, "2026-11-01", "2026-11-30")

    assert sorted(rows, key=_key) == sorted(
        _expected(tmp_path, "2026-11-01", "2026-11-30"), key=_key
    )
    by_tx = {r["bank_transaction_id"]: r for r in rows}
    assert set(by_tx) == {"TX2", "TX3", "TX4", "TX6"}  # both ends in; no rep, other months out
    assert by_tx["TX2"]["commission"] == "50.01"  # 1000.10 x 0.05 = 50.005, half up
    assert by_tx["TX3"]["cash_amount"] == "1960.00"  # the cash, never the 40.00 discount
    assert (by_tx["TX4"]["rate"], by_tx["TX4"]["commission"]) == ("0.03", "15.00")
    assert (by_tx["TX6"]["cash_amount"], by_tx["TX6"]["commission"]) == ("100.10", "5.01")


def test_a_refused_correction_changes_no_commission(tmp_path: Path) -> None:
    config = make_quickstart(tmp_path)
    assert _cli(config, "run", "--once")[0] == 0
    before = _report(config, "2026-10-01", "2026-12-31")

    code, _, err = _cli(
        config,
        "review",
        "correct",
        "TX4",
        "--invoice",
        "INV-2007:150.00",
        "--invoice",
        "INV-2001:350.00",
        "--reason",
        "wrong invoices",
        "--as",
        "clerk",
    )
    assert code == 1  # the money ledger refuses it: INV-2007 has less open than 150.00
    assert "would over-apply" in err
    assert _cli(config, "run", "--once")[0] == 0

    assert _report(config, "2026-10-01", "2026-12-31") == before
    assert {r["bank_transaction_id"] for r in before} == {"TX1", "TX2", "TX3", "TX4", "TX6", "TX7"}


def test_without_the_column_the_quickstart_runs_and_the_report_is_empty(tmp_path: Path) -> None:
    config = make_quickstart(tmp_path, with_rep=False)
    assert _cli(config, "run", "--once")[0] == 0

    assert _report(config, "2026-11-01", "2026-11-30") == []
    assert (tmp_path / "out" / "applications.csv").exists()


def test_without_a_plan_the_rows_are_listed_at_rate_zero_with_a_warning(tmp_path: Path) -> None:
    config = make_quickstart(tmp_path, plan="")
    assert _cli(config, "run", "--once")[0] == 0

    code, out, err = _cli(config, "commissions", "--from", "2026-11-01", "--to", "2026-11-30")

    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["bank_transaction_id"] for r in rows} == {"TX2", "TX3", "TX4", "TX6"}
    assert {(r["rate"], r["commission"]) for r in rows} == {("0", "0.00")}
    assert "commissions:" in err


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--from", "2026-11-31", "--to", "2026-12-01"], "2026-11-31"),
        (["--from", "2026-11-30", "--to", "2026-11-01"], "before"),
        (["--from", "2026-11-01"], "--to"),
    ],
)
def test_bad_dates_are_refused_with_a_clear_message(
    tmp_path: Path, args: list[str], complaint: str
) -> None:
    config = make_quickstart(tmp_path)

    code, _, err = _cli(config, "commissions", *args)

    assert code != 0
    assert complaint in err


def test_a_rep_without_a_rate_earns_zero_and_is_named_in_a_warning(tmp_path: Path) -> None:
    config = make_quickstart(tmp_path, plan='\ncommissions:\n  reps: {R-EAST: "0.05"}\n')
    assert _cli(config, "run", "--once")[0] == 0

    code, out, err = _cli(config, "commissions", "--from", "2026-11-01", "--to", "2026-11-30")

    assert code == 0, err
    west = [r for r in csv.DictReader(io.StringIO(out)) if r["sales_rep"] == "R-WEST"]
    assert [(r["cash_amount"], r["commission"]) for r in west] == [("500.00", "0.00")]
    assert "R-WEST" in err
    assert "R-EAST" not in err


def test_the_workbook_has_a_payroll_summary_and_a_sheet_per_rep_matching_the_csv(
    tmp_path: Path,
) -> None:
    from openpyxl import load_workbook

    config = make_quickstart(tmp_path / "data")
    assert _cli(config, "run", "--once")[0] == 0
    rows = _report(config, "2026-11-01", "2026-11-30")
    target = tmp_path / "reports" / "2026-11.xlsx"

    code, _, err = _cli(
        config,
        "commissions",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--format",
        "xlsx",
        "--output",
        str(target),
    )

    assert code == 0, err
    book = load_workbook(target, read_only=True)
    assert book.sheetnames == ["Summary", "R-EAST", "R-WEST"]
    summary = {r[0]: r for r in book["Summary"].iter_rows(min_row=3, values_only=True)}
    csv_total = sum(Decimal(r["commission"]) for r in rows)
    assert Decimal(str(summary["TOTAL"][5])) == csv_total
    for rep in ("R-EAST", "R-WEST"):
        sheet = list(book[rep].iter_rows(min_row=2, values_only=True))
        mine = [r for r in rows if r["sales_rep"] == rep]
        assert sorted(str(s[2]) for s in sheet) == sorted(r["bank_transaction_id"] for r in mine)
        assert summary[rep][1] == len(mine)


def _pdf_text(path: Path) -> str:
    import re
    import zlib

    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S)
    return b"".join(zlib.decompress(s) for s in streams if s[:1] == b"x").decode("latin-1")


def test_a_pdf_statement_per_rep_lists_each_bank_line_and_invoice_and_the_total(
    tmp_path: Path,
) -> None:
    config = make_quickstart(tmp_path / "data")
    assert _cli(config, "run", "--once")[0] == 0
    rows = _report(config, "2026-11-01", "2026-11-30")
    folder = tmp_path / "statements"

    code, _, err = _cli(
        config,
        "commissions",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--format",
        "pdf",
        "--output",
        str(folder),
    )

    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir()) == ["R-EAST.pdf", "R-WEST.pdf"]
    east = _pdf_text(folder / "R-EAST.pdf")
    for row in (r for r in rows if r["sales_rep"] == "R-EAST"):
        assert row["bank_transaction_id"] in east
        assert row["invoice_id"] in east
    total = sum(Decimal(r["commission"]) for r in rows if r["sales_rep"] == "R-EAST")
    assert f"commission {total}" in east
    assert "INV-2002" not in east  # R-WEST's


def test_file_formats_need_an_output(tmp_path: Path) -> None:
    config = make_quickstart(tmp_path)

    code, _, err = _cli(
        config, "commissions", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "xlsx"
    )

    assert code == 2
    assert "--output" in err


def test_close_freezes_a_month_through_the_cli_and_refuses_it_twice(tmp_path: Path) -> None:
    config = make_quickstart(tmp_path)
    assert _cli(config, "run", "--once")[0] == 0
    october = _report(config, "2026-10-01", "2026-10-31")

    code, out, err = _cli(config, "commissions", "close", "--period", "2026-10", "--as", "payroll")
    again, _, complaint = _cli(config, "commissions", "close", "--period", "2026-10")

    assert code == 0, err
    assert "1 line(s), commission 35.00" in out  # TX1: 700.00 x 0.05
    assert again == 1
    assert "closed already" in complaint
    assert _report(config, "2026-10-01", "2026-10-31") == october


def test_detail_rows_trace_each_line_to_its_application_and_customer(tmp_path: Path) -> None:
    config = make_quickstart(tmp_path)
    assert _cli(config, "run", "--once")[0] == 0

    code, out, err = _cli(
        config, "commissions", "--from", "2026-11-01", "--to", "2026-11-30", "--detail"
    )

    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0])[: len(COLUMNS)] == COLUMNS
    by_tx = {r["bank_transaction_id"]: r for r in rows}
    assert by_tx["TX3"]["customer_id"] == "C002"
    assert by_tx["TX3"]["basis"] == by_tx["TX3"]["cash_amount"]  # no tax or freight excluded
    assert by_tx["TX6"]["effective_on"] == "2026-11-30"
    assert all(r["application_id"] and not r["reverses_application_id"] for r in rows)
