"""CONTRACT.md §6 through the real CLI: payments people already recorded in the ERP.

The books below hold one case of each kind: lines posted by hand correctly (linked by a
typed bank reference, and by amount alone), lines posted wrong (another customer, another
invoice, digits swapped, recorded twice, an invoice paid twice by two lines), two
candidate recordings for one line, and a line nobody posted.
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
C001,Acme Industrial Supply Inc,,NET30,USD
C002,Brightwater Foods LLC,,NET30,USD
C003,Cobalt Ridge Mining Corp,,NET30,USD
C004,Delta Harbor Logistics Co,,NET45,USD
"""
# open amounts already reflect payments.csv, as the contract says
INVOICES = """invoice_id,customer_id,invoice_date,due_date,amount,open_amount,currency,terms,po_number
INV-2001,C001,2026-10-01,2026-10-31,1250.00,0.00,USD,NET30,
INV-2002,C001,2026-10-02,2026-11-01,480.50,72.00,USD,NET30,
INV-2003,C002,2026-10-03,2026-11-02,2000.00,0.00,USD,NET30,
INV-2005,C003,2026-10-05,2026-11-04,777.77,777.77,USD,NET30,
INV-2006,C004,2026-10-06,2026-11-20,777.77,0.00,USD,NET45,
INV-2007,C004,2026-10-07,2026-11-21,500.00,500.00,USD,NET45,
INV-2008,C004,2026-10-08,2026-11-22,500.00,0.00,USD,NET45,
INV-2009,C002,2026-10-09,2026-11-08,315.25,0.00,USD,NET30,
INV-2010,C003,2026-10-10,2026-11-09,900.00,0.00,USD,NET30,
INV-2011,C004,2026-10-11,2026-11-25,250.00,0.00,USD,NET45,
INV-2012,C004,2026-10-12,2026-11-26,250.00,0.00,USD,NET45,
INV-2013,C001,2026-10-13,2026-11-12,300.00,300.00,USD,NET30,
"""
BANK = """Date,Description,Amount,Transaction ID
11/02/2026,ACME INDUSTRIAL SUPPLY INV-2001,1250.00,TX1001
11/02/2026,BRIGHTWATER FOODS INV-2003,2000.00,TX1002
11/03/2026,COBALT RIDGE MINING INV-2005,777.77,TX1003
11/03/2026,DELTA HARBOR LOGISTICS INV-2007,500.00,TX1004
11/04/2026,ACME INDUSTRIAL SUPPLY INV-2002,480.50,TX1005
11/04/2026,BRIGHTWATER FOODS INV-2009,315.25,TX1006
11/05/2026,COBALT RIDGE MINING INV-2010,900.00,TX1007
11/06/2026,COBALT RIDGE MINING CHECK 8812,900.00,TX1008
11/09/2026,DELTA HARBOR LOGISTICS,250.00,TX1009
11/09/2026,ACME INDUSTRIAL SUPPLY INV-2013,300.00,TX1010
"""
PAYMENTS = """payment_id,customer_id,invoice_id,amount,date,reference,memo
P-1,C001,INV-2001,1250.00,2026-11-02,tx 1001,
P-2,C002,INV-2003,2000.00,2026-11-03,,Brightwater paid
P-3,C004,INV-2006,777.77,2026-11-03,TX1003,
P-4,C004,INV-2008,500.00,2026-11-04,,
P-5,C001,INV-2002,408.50,2026-11-05,,
P-6A,C002,INV-2009,315.25,2026-11-04,TX1006,
P-6B,C002,INV-2009,315.25,2026-11-05,,bank ref TX1006
P-7,C003,INV-2010,900.00,2026-11-05,TX1007,
P-8,C003,INV-2010,900.00,2026-11-06,CHK 8812,
P-9,C004,INV-2011,250.00,2026-11-09,,
P-10,C004,INV-2012,250.00,2026-11-10,,
P-11,C001,,99.99,2026-11-01,,walk-in cash
"""


def _run(config: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _review(config: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_run(config, "review", "list", "--format", "csv"))))


def _applied(data: Path) -> set[str]:
    path = data / "out" / "applications.csv"
    if not path.exists():
        return set()
    with path.open(newline="", encoding="utf-8") as fh:
        return {r["bank_transaction_id"] for r in csv.DictReader(fh)}


@pytest.fixture
def books(tmp_path: Path, store_url: str) -> Path:
    """The contract layout with payments.csv, its store on each supported database."""
    return write_books(tmp_path, store_url)


def write_books(tmp_path: Path, store_url: str) -> Path:
    """Write the books above in the contract layout with payments.csv; the data folder."""
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
    return data


def test_lines_posted_by_hand_are_never_posted_again(books: Path) -> None:
    _run(books / "arbridge.yaml", "run", "--once")

    assert _applied(books) == {"TX1010"}  # the only line nobody recorded
    queued = {i["bank_transaction_id"] for i in _review(books / "arbridge.yaml")}
    assert not {"TX1001", "TX1002"} & queued  # recorded right: neither posted nor asked


def test_each_contradiction_is_a_suspected_misapplication_naming_the_erp_payments(
    books: Path,
) -> None:
    _run(books / "arbridge.yaml", "run", "--once")

    items = _review(books / "arbridge.yaml")
    flagged = {
        i["bank_transaction_id"]: i for i in items if i["reason"] == "suspected_misapplication"
    }
    assert {k: v["erp_payment_ids"] for k, v in flagged.items()} == {
        "TX1003": "P-3",  # another customer, another invoice
        "TX1004": "P-4",  # another invoice than the remittance names
        "TX1005": "P-5",  # 408.50 recorded for 480.50
        "TX1006": "P-6A P-6B",  # recorded twice
        "TX1007": "P-7",  # INV-2010 paid by two lines
        "TX1008": "P-8",
    }
    assert "belongs to C004 Delta Harbor Logistics Co" in flagged["TX1003"]["message"]
    assert "the remittance names INV-2007, but INV-2008 was applied" in flagged["TX1004"]["message"]
    assert "408.50 recorded, less than the 480.50 received" in flagged["TX1005"]["message"]
    assert "recorded 2 times" in flagged["TX1006"]["message"]
    assert "INV-2010 applied more than once" in flagged["TX1008"]["message"]
    assert flagged["TX1003"]["suggested_invoice_ids"] == "INV-2005"  # what the engine would do
    others = [i for i in items if i["reason"] != "suspected_misapplication"]
    assert all(i["erp_payment_ids"] == "" for i in others)


def test_two_candidate_recordings_are_asked_about_not_guessed(books: Path) -> None:
    _run(books / "arbridge.yaml", "run", "--once")

    [item] = [i for i in _review(books / "arbridge.yaml") if i["bank_transaction_id"] == "TX1009"]
    assert item["reason"] == "possibly_posted"
    assert "P-9" in item["message"]
    assert "P-10" in item["message"]
    assert "TX1009" not in _applied(books)


def test_rerun_adds_nothing(books: Path) -> None:
    config = books / "arbridge.yaml"
    _run(config, "run", "--once")
    before = ((books / "out" / "applications.csv").read_bytes(), _review(config))

    _run(config, "run", "--once")

    assert ((books / "out" / "applications.csv").read_bytes(), _review(config)) == before


def test_a_payment_recorded_after_the_line_was_set_aside_joins_its_line(books: Path) -> None:
    config = books / "arbridge.yaml"
    _run(config, "run", "--once")
    with (books / "erp" / "payments.csv").open("a", encoding="utf-8") as fh:
        fh.write("P-12,C001,INV-2001,1250.00,2026-11-12,TX1001,\n")

    _run(config, "run", "--once")

    [item] = [i for i in _review(config) if i["bank_transaction_id"] == "TX1001"]
    assert item["reason"] == "suspected_misapplication"
    assert item["erp_payment_ids"] == "P-1 P-12"


def test_without_payments_key_the_run_is_as_before(books: Path) -> None:
    config = books / "arbridge.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        "\n".join(ln for ln in text.splitlines() if "payments:" not in ln) + "\n",
        encoding="utf-8",
    )

    _run(config, "run", "--once")

    assert "TX1010" in _applied(books)
    assert all(i["erp_payment_ids"] == "" for i in _review(config))


def test_an_unreadable_payments_file_stops_deciding_until_it_is_fixed(books: Path) -> None:
    config = books / "arbridge.yaml"
    good = (books / "erp" / "payments.csv").read_text(encoding="utf-8")
    (books / "erp" / "payments.csv").write_text(good + "P-99,C001,,lots,2026-11-09,,\n")

    _run(config, "run", "--once")

    assert _applied(books) == set()  # never decide blind to what people posted
    assert [i["reason"] for i in _review(config)] == ["connector_down"]
    (books / "erp" / "payments.csv").write_text(good, encoding="utf-8")
    _run(config, "run", "--once")
    assert _applied(books) == {"TX1010"}


def test_a_dismissed_finding_reopens_only_when_the_erp_payment_changes(books: Path) -> None:
    config = books / "arbridge.yaml"
    _run(config, "run", "--once")
    [item] = [i for i in _review(config) if i["bank_transaction_id"] == "TX1004"]
    _run(config, "review", "dismiss", item["item_id"], "--comment", "clerk fixed it by phone")

    _run(config, "run", "--once")
    assert "TX1004" not in {i["bank_transaction_id"] for i in _review(config)}

    payments = (books / "erp" / "payments.csv").read_text(encoding="utf-8")
    (books / "erp" / "payments.csv").write_text(
        payments.replace(
            "P-4,C004,INV-2008,500.00,2026-11-04,,", "P-4,C004,INV-2008,500.00,2026-11-04,,moved"
        ),
        encoding="utf-8",
    )
    _run(config, "run", "--once")
    [again] = [i for i in _review(config) if i["bank_transaction_id"] == "TX1004"]
    assert again["erp_payment_ids"] == "P-4"
    assert again["item_id"] != item["item_id"]


def test_a_queued_line_a_person_then_records_in_the_erp_leaves_the_queue(books: Path) -> None:
    config = books / "arbridge.yaml"
    payments = (books / "erp" / "payments.csv").read_text(encoding="utf-8")
    later = [ln for ln in payments.splitlines() if ln.startswith("P-9,")]
    (books / "erp" / "payments.csv").write_text(
        "\n".join(ln for ln in payments.splitlines() if not ln.startswith(("P-9,", "P-10,")))
        + "\n",
        encoding="utf-8",
    )
    _run(config, "run", "--once")
    [queued] = [i for i in _review(config) if i["bank_transaction_id"] == "TX1009"]
    assert queued["reason"] != "possibly_posted"

    with (books / "erp" / "payments.csv").open("a", encoding="utf-8") as fh:
        fh.write(later[0] + "\n")
    _run(config, "run", "--once")

    assert "TX1009" not in {i["bank_transaction_id"] for i in _review(config)}
    shown = _run(config, "review", "show", queued["item_id"])
    assert "resolved" in shown
    assert "P-9" in shown
    assert "TX1009" not in _applied(books)
