"""Money that reached the ERP is never recorded as rejected: a refusal is read back first."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

from sqlmodel import select

from arbridge.domain.records import Application
from arbridge.scheduler import run_cycle
from arbridge.scheduler.audit import run_audit
from arbridge.store import Store, postings
from arbridge.store.tables import OutboxRow
from tests.review.conftest import Books, make_books
from tests.stateful.faulty_erp import FaultyErp

_760 = Decimal("760.00")


def _statuses(store: Store) -> list[str]:
    with store.transaction() as session:
        return sorted(session.exec(select(OutboxRow.status)).all())


def test_a_retry_refused_after_a_lost_answer_is_recorded_as_sent(
    store: Store, tmp_path: Path
) -> None:
    books = make_books(store, tmp_path)
    faulty = FaultyErp(books.erp, ["lost", "rejected"])
    deps = dataclasses.replace(books.deps, erp=faulty)
    books.resolver.apply(books.item("TX0005"), [("INV-1007", _760)], actor="clara")

    run_cycle(deps)  # posted, the answer lost
    run_cycle(deps)  # the retry is refused: the ERP holds it

    assert _statuses(store) == ["sent"] * 8
    assert books.queue.open_items(reason="posting_rejected") == []
    assert run_audit(store, books.erp).findings == []


def test_an_application_the_erp_holds_in_part_is_recorded_with_a_review_item(
    store: Store, tmp_path: Path
) -> None:
    books = make_books(store, tmp_path)
    item = books.item("TX0005")
    key = books.resolver.apply(
        item, [("INV-1007", Decimal("400.00")), ("INV-1008", Decimal("360.00"))], actor="clara"
    )
    [queued] = _pending(books)
    half = dataclasses.replace(queued, allocations=queued.allocations[:1], amount=Decimal("400"))
    books.erp.posted[key] = half  # the ERP kept the first line and refused the second
    deps = dataclasses.replace(books.deps, erp=FaultyErp(books.erp, ["rejected"]))

    run_cycle(deps)

    assert _statuses(store) == ["sent"] * 8
    [partial] = books.queue.open_items(reason="posting_rejected")
    assert "holds 400.00 of 760.00" in partial.message
    assert partial.bank_transaction_id == "TX0005"


def _pending(books: Books) -> list[Application]:
    with books.store.transaction() as session:
        return [e.application for e in postings.pending(session, "books")]
