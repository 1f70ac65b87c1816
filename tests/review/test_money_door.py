"""Issue 15's reproductions 1-3: every clerk path goes through the money ledger's door.

The store is the contract's, the ERP the contract's csv ERP (applications.csv is its
ledger) or, where a reversal must succeed, the in-memory ERP.
"""

from __future__ import annotations

import csv
import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select

from arbridge.app import App, build_app
from arbridge.config import load_settings
from arbridge.domain.records import Allocation, Application
from arbridge.review import ReviewStateError
from arbridge.review.resolutions import Resolver
from arbridge.scheduler import run_cycle
from arbridge.store import StoreConflictError, ledger, postings
from arbridge.store.postings import NewApplication
from arbridge.store.tables import ApplicationRow
from tests.review.conftest import Books
from tests.stateful.faulty_erp import FaultyErp

_760 = Decimal("760.00")


@pytest.fixture
def demo(contract_data: Path) -> App:
    app = build_app(load_settings(contract_data / "arbridge.yaml"))
    run_cycle(app.cycle_deps())
    return app


def _item(app: App, bank_id: str) -> int:
    [found] = [i for i in app.queue.open_items() if i.bank_transaction_id == bank_id]
    return found.item_id


def _rows(data: Path, bank_id: str) -> list[tuple[str, str]]:
    with (data / "out" / "applications.csv").open(encoding="utf-8") as fh:
        return [(r[1], r[3]) for r in csv.reader(fh) if r[0] == bank_id]


def _cash_by_invoice(data: Path) -> dict[str, Decimal]:
    taken: dict[str, Decimal] = {}
    with (data / "out" / "applications.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            taken[row["invoice_id"]] = taken.get(row["invoice_id"], Decimal(0)) + Decimal(
                row["amount"]
            )
    return taken


# Reproduction 1: apply, reopen, apply again must not post the line twice.


def test_apply_reopen_apply_before_a_cycle_posts_the_line_once(
    demo: App, contract_data: Path
) -> None:
    resolver = Resolver(demo.store, "books")
    item = _item(demo, "TX0005")
    resolver.apply(item, [("INV-1007", _760)], actor="clara")

    demo.queue.reopen(item, actor="clara")
    resolver.apply(item, [("INV-1008", _760)], actor="clara")
    run_cycle(demo.cycle_deps())
    run_cycle(demo.cycle_deps())

    assert _rows(contract_data, "TX0005") == [("INV-1008", "760.00")]
    _, trail = demo.queue.show(item)
    reopened = [e for e in trail if e["action"] == "reopen"]
    assert "withdrew" in reopened[0]["comment"]


def test_reopening_a_posted_item_queues_its_reversal_first_and_the_new_application_waits(
    books: Books,
) -> None:
    item = books.item("TX0005")
    books.resolver.apply(item, [("INV-1007", _760)], actor="clara")
    books.cycle()
    assert books.open_amount("INV-1007") == "0.00"

    books.queue.reopen(item, actor="clara")
    books.resolver.apply(item, [("INV-1008", _760)], actor="clara")
    books.cycle()
    books.cycle()

    assert (books.open_amount("INV-1007"), books.open_amount("INV-1008")) == ("760.00", "0.00")
    assert len(books.erp.posted) == 8  # the demo's 7 automatic ones and TX0005 once
    [tx5] = [a for a in books.erp.posted.values() if a.bank_id == "TX0005"]
    assert [a.invoice_id for a in tx5.allocations] == ["INV-1008"]
    reverse, _ = books.resolver.correct(
        item, [("INV-1007", _760)], actor="clara", reason="back again"
    )  # one application stands: the correction finds it
    assert reverse.endswith(":reverse:2")


def test_reopening_a_posted_item_on_the_csv_erp_never_posts_the_cash_twice(
    demo: App, contract_data: Path
) -> None:
    resolver = Resolver(demo.store, "books")
    item = _item(demo, "TX0005")
    resolver.apply(item, [("INV-1007", _760)], actor="clara")
    run_cycle(demo.cycle_deps())

    demo.queue.reopen(item, actor="clara")
    resolver.apply(item, [("INV-1008", _760)], actor="clara")
    run_cycle(demo.cycle_deps())
    run_cycle(demo.cycle_deps())

    assert _rows(contract_data, "TX0005") == [("INV-1007", "760.00")]
    rejected = demo.queue.open_items(reason="posting_rejected")
    assert any("could not reverse" in i.message for i in rejected)


def _tx0005_application(books: Books) -> ApplicationRow:
    with books.store.transaction() as session:
        query = select(ApplicationRow).where(col(ApplicationRow.idempotency_key).contains("TX0005"))
        row = session.exec(query).one()
        session.expunge(row)
        return row


def test_the_database_refuses_a_second_live_application_for_a_line(books: Books) -> None:
    books.resolver.apply(books.item("TX0005"), [("INV-1007", _760)], actor="clara")
    first = _tx0005_application(books)

    twin = ApplicationRow(
        idempotency_key="twin",
        bank_line_id=first.bank_line_id,
        erp="books",
        customer_id="C004",
        amount=_760,
        allocations=first.allocations,
        created_at=first.created_at,
    )

    with pytest.raises(StoreConflictError, match=r"(?i)unique"):
        _insert(books, twin)


def _insert(books: Books, row: ApplicationRow) -> None:
    with books.store.transaction() as session:
        session.add(row)


def test_the_door_refuses_a_second_application_for_a_line_that_has_a_live_one(
    books: Books,
) -> None:
    books.resolver.apply(books.item("TX0005"), [("INV-1007", _760)], actor="clara")
    first = _tx0005_application(books)
    again = Application(
        idempotency_key="again",
        bank_account="operating",
        bank_id="TX0005",
        customer_id="C004",
        booked_on=date(2026, 11, 4),
        amount=_760,
        allocations=(Allocation(invoice_id="INV-1008", customer_id="C004", amount=_760),),
    )
    item = NewApplication(
        bank_line_id=first.bank_line_id, application=again, confidence=1.0, explanation="x"
    )

    with (
        pytest.raises(ledger.LedgerRefusedError, match="already has a live application"),
        books.store.transaction() as session,
    ):
        ledger.admit(session, "books", [item], run_id=None, now=first.created_at)


# Reproduction 2: applying onto an invoice already paid is refused.


def test_one_click_apply_onto_a_paid_invoice_is_refused_with_the_csv_erp(
    demo: App, contract_data: Path
) -> None:
    item = _item(demo, "TX0006")  # the duplicate payment of INV-0998 (open 0.00)

    with pytest.raises(ReviewStateError, match=r"INV-0998 has 0.00 open .* would over-apply it"):
        Resolver(demo.store, "books").apply(item, [("INV-0998", Decimal("640.00"))], actor="c")
    run_cycle(demo.cycle_deps())

    assert _rows(contract_data, "TX0006") == []
    assert demo.queue.show(item)[0].status == "open"


def test_an_invoice_paid_by_a_posting_not_yet_read_back_is_refused(
    demo: App, contract_data: Path
) -> None:
    """INV-1007 is paid by TX0005 (sent, not yet re-read): TX0010 cannot pay it again."""
    resolver = Resolver(demo.store, "books")
    resolver.apply(_item(demo, "TX0005"), [("INV-1007", _760)], actor="clara")
    run_cycle(demo.cycle_deps())

    with pytest.raises(ReviewStateError, match=r"INV-1007 has 0\.00 open"):
        resolver.apply(_item(demo, "TX0010"), [("INV-1007", Decimal("312.40"))], actor="c")
    run_cycle(demo.cycle_deps())
    assert _cash_by_invoice(contract_data)["INV-1007"] == _760


# Reproduction 3: amounts with a third decimal, NaN, infinity or an exponent are refused.


@pytest.mark.parametrize(
    ("amounts", "message"),
    [
        (("759.995", "0.005"), "amount for INV-1007: 759.995 has more than two decimals"),
        (("NaN", "760.00"), "amount for INV-1007: NaN is not an amount"),
        (("Infinity", "1"), "amount for INV-1007: Infinity is not an amount"),
        (("7.6E+2", "0"), "amount for INV-1007: 7.6E\\+2 is written with an exponent"),
        (("-1.00", "761.00"), "amount for INV-1007: -1.00 must be above zero"),
    ],
)
def test_amounts_that_are_not_whole_cents_are_refused_naming_the_field(
    demo: App, contract_data: Path, amounts: tuple[str, str], message: str
) -> None:
    item = _item(demo, "TX0005")
    chosen = [("INV-1007", Decimal(amounts[0])), ("INV-1008", Decimal(amounts[1]))]

    with pytest.raises(ReviewStateError, match=message):
        Resolver(demo.store, "books").apply(item, chosen, actor="clara")
    run_cycle(demo.cycle_deps())

    assert _rows(contract_data, "TX0005") == []


# The automatic path goes through the same door.


def test_an_automatic_application_the_door_refuses_becomes_a_review_item(
    contract_data: Path,
) -> None:
    (contract_data / "bank" / "statement-2026-11.csv").write_text(
        "Date,Description,Amount,Transaction ID\n"
        "11/02/2026,ACME INDUSTRIAL SUPPLY PAYMENT INV-1001,1250.005,TX0001\n",
        encoding="utf-8",
    )
    app = build_app(load_settings(contract_data / "arbridge.yaml"))

    run_cycle(app.cycle_deps())

    [item] = app.queue.open_items()
    assert item.reason == "policy_hold"
    assert item.message.startswith("not applied: amount: 1250.005")
    assert "more than two decimals" in item.message
    assert not (contract_data / "out" / "applications.csv").exists()


def test_reopening_while_the_daemon_posts_the_application_is_refused_until_it_is_done(
    books: Books,
) -> None:
    item = books.item("TX0005")
    books.resolver.apply(item, [("INV-1007", _760)], actor="clara")
    with books.store.transaction() as session:
        postings.claim(
            session,
            "books",
            worker="daemon",
            limit=10,
            now=datetime.now(UTC),
            lease=timedelta(minutes=1),
        )

    with pytest.raises(ReviewStateError, match="being posted to the ERP right now"):
        books.queue.reopen(item, actor="clara")
    assert books.queue.show(item)[0].status == "resolved"


def test_reopening_after_an_unanswered_post_waits_for_the_next_cycle(books: Books) -> None:
    item = books.item("TX0005")
    books.resolver.apply(item, [("INV-1007", _760)], actor="clara")
    # the ERP posted it, the answer was lost, and the retries within the cycle failed too
    faults = ["lost", "transient", "transient", "transient"]
    faulty = dataclasses.replace(books.deps, erp=FaultyErp(books.erp, faults))
    run_cycle(faulty)

    with pytest.raises(ReviewStateError, match="sent to the ERP without an answer"):
        books.queue.reopen(item, actor="clara")
    books.cycle()  # the retry finds it posted
    books.queue.reopen(item, actor="clara")

    _, trail = books.queue.show(item)
    assert "to reverse" in trail[-1]["comment"]
    assert books.open_amount("INV-1007") == "0.00"
