"""Issue 15, reproduction 4: two bank accounts whose lines share a bank transaction id.

Many banks number lines per account. The csv ERP identifies a row by (account, bank id,
invoice id), the account and the idempotency key kept in `applications.keys.csv`, so the
second account's application is written (never reported sent without a row).
"""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from arbridge.connectors.bank import FolderBankSource
from arbridge.connectors.base import PostOutcome
from arbridge.connectors.erp import CsvErpGateway
from arbridge.domain.records import Allocation, Application
from arbridge.scheduler import CycleDeps, run_cycle
from arbridge.store import Store, postings
from tests.conftest import CONTRACT_PROFILE, DEMO


def _gateway(tmp_path: Path) -> CsvErpGateway:
    return CsvErpGateway(
        name="books",
        customers=tmp_path / "erp" / "customers.csv",
        invoices=tmp_path / "erp" / "invoices.csv",
        applications=tmp_path / "out" / "applications.csv",
        clock=lambda: datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
    )


@pytest.fixture
def erp(tmp_path: Path) -> CsvErpGateway:
    shutil.copytree(DEMO / "erp", tmp_path / "erp")
    return _gateway(tmp_path)


def _app(account: str, bank_id: str, invoice: str | None, amount: str) -> Application:
    cash = Decimal(amount)
    return Application(
        idempotency_key=f"books:{account}:{bank_id}",
        bank_account=account,
        bank_id=bank_id,
        customer_id="C001",
        booked_on=date(2026, 11, 2),
        amount=cash,
        allocations=(Allocation(invoice_id=invoice, customer_id="C001", amount=cash),),
    )


def _rows(tmp_path: Path) -> list[tuple[str, str, str]]:
    with (tmp_path / "out" / "applications.csv").open(encoding="utf-8") as fh:
        return [
            (r["bank_transaction_id"], r["invoice_id"], r["amount"]) for r in csv.DictReader(fh)
        ]


def test_the_same_bank_id_from_two_accounts_is_written_for_each(
    erp: CsvErpGateway, tmp_path: Path
) -> None:
    first = erp.post_application(_app("operating", "1", "INV-1010", "400.00"))
    second = erp.post_application(_app("payroll", "1", "INV-1010", "300.00"))

    assert (first.outcome, second.outcome) == (PostOutcome.POSTED, PostOutcome.POSTED)
    assert _rows(tmp_path) == [("1", "INV-1010", "400.00"), ("1", "INV-1010", "300.00")]
    invoices = {i.invoice_id: i for i in erp.fetch_invoices()}
    assert invoices["INV-1010"].open_amount == Decimal("800.00")


def test_on_account_credit_from_two_accounts_sharing_a_bank_id_is_written_for_each(
    erp: CsvErpGateway, tmp_path: Path
) -> None:
    erp.post_applications(
        [_app("operating", "7", None, "10.00"), _app("payroll", "7", None, "20.00")]
    )

    assert _rows(tmp_path) == [("7", "", "10.00"), ("7", "", "20.00")]


def test_a_retry_of_each_account_after_a_restart_writes_nothing_more(
    erp: CsvErpGateway, tmp_path: Path
) -> None:
    erp.post_application(_app("operating", "1", "INV-1010", "400.00"))
    erp.post_application(_app("payroll", "1", "INV-1010", "300.00"))
    restarted = _gateway(tmp_path)

    again = [
        restarted.post_application(_app("operating", "1", "INV-1010", "400.00")),
        restarted.post_application(_app("payroll", "1", "INV-1010", "300.00")),
    ]

    assert [r.outcome for r in again] == [PostOutcome.ALREADY_POSTED] * 2
    assert len(_rows(tmp_path)) == 2
    assert restarted.posted_keys() == {"books:operating:1", "books:payroll:1"}


def test_rows_written_before_the_sidecar_still_count_once(
    erp: CsvErpGateway, tmp_path: Path
) -> None:
    """A file from an older arbridge (no sidecar): its row matches by bank id, invoice, amount."""
    erp.post_application(_app("operating", "1", "INV-1010", "400.00"))
    (tmp_path / "out" / "applications.keys.csv").unlink()
    restarted = _gateway(tmp_path)

    same = restarted.post_application(_app("operating", "1", "INV-1010", "400.00"))
    other = restarted.post_application(_app("payroll", "1", "INV-1010", "300.00"))

    assert (same.outcome, other.outcome) == (PostOutcome.ALREADY_POSTED, PostOutcome.POSTED)
    assert len(_rows(tmp_path)) == 2


def test_a_key_differs_from_the_row_it_names_when_the_file_was_rewritten(
    erp: CsvErpGateway, tmp_path: Path
) -> None:
    """A sidecar record is trusted only for the row it names (bank id and invoice)."""
    erp.post_application(_app("operating", "1", "INV-1010", "400.00"))
    path = tmp_path / "out" / "applications.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], lines[1].replace(",INV-1010,", ",INV-1001,")]) + "\n")

    assert _gateway(tmp_path).posted_keys() == frozenset()


def test_a_cycle_over_two_accounts_sharing_bank_ids_writes_both_and_marks_only_written_sent(
    erp: CsvErpGateway, tmp_path: Path, store: Store
) -> None:
    sources = []
    for account, amount in (("operating", "400.00"), ("payroll", "300.00")):
        folder = tmp_path / "bank" / account
        folder.mkdir(parents=True)
        (folder / "statement.csv").write_text(
            "Date,Description,Amount,Transaction ID\n"
            f"11/02/2026,ACME INDUSTRIAL SUPPLY INV-1010,{amount},1\n",
            encoding="utf-8",
        )
        sources.append(
            FolderBankSource(
                name=account, path=folder, currency="USD", csv_profile=CONTRACT_PROFILE
            )
        )

    run_cycle(CycleDeps(store=store, bank_sources=sources, erp=erp))

    assert sorted(_rows(tmp_path)) == [("1", "INV-1010", "300.00"), ("1", "INV-1010", "400.00")]
    with store.transaction() as session:
        statuses = postings.outbox_depth(session)
    assert statuses == {"sent": 2}
    assert erp.posted_keys() == {"books:operating:1", "books:payroll:1"}
