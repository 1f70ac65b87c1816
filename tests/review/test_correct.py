"""Correcting a misapplication: the posted application is reversed, then the cash re-applied,
each exactly once and in that order, or neither when the ERP cannot reverse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select

from arbridge.connectors.base import ErpCapability, PostResult
from arbridge.connectors.erp import InMemoryErpGateway
from arbridge.connectors.erp.memory import CAPABILITIES
from arbridge.connectors.errors import TransientConnectorError
from arbridge.domain.records import Application
from arbridge.review import NewReviewItem, ReviewStateError, open_item
from arbridge.store import Store, postings
from arbridge.store.tables import ApplicationRow, OutboxRow, ReviewItemRow
from tests.review.conftest import Books, make_books

_760 = Decimal("760.00")


def _posted_to_1007(books: Books) -> int:
    """TX0005 applied by a clerk to INV-1007 and posted; returns its (resolved) item."""
    item = books.item("TX0005")
    books.resolver.apply(item, [("INV-1007", _760)], actor="clara")
    books.cycle()
    assert books.open_amount("INV-1007") == "0.00"
    return item


def _outbox(store: Store) -> dict[str, tuple[str, str | None]]:
    """Idempotency key -> (outbox status, last error)."""
    query = select(ApplicationRow.idempotency_key, OutboxRow.status, OutboxRow.last_error).join(
        OutboxRow, col(OutboxRow.application_id) == col(ApplicationRow.id)
    )
    with store.transaction() as session:
        return {key: (status, error) for key, status, error in session.exec(query)}


def test_a_correction_queues_the_reversal_and_a_waiting_reapplication_with_an_audit_event(
    books: Books,
) -> None:
    item = _posted_to_1007(books)

    reverse, reapply = books.resolver.correct(
        item, [("INV-1008", _760)], actor="clara", reason="remittance named INV-1008"
    )

    assert reverse.endswith(":reverse:1")
    assert reapply.endswith(":reapply:1")
    assert reverse.removesuffix(":reverse:1") == reapply.removesuffix(":reapply:1")
    with books.store.transaction() as session:
        pending = {e.application.idempotency_key: e for e in postings.pending(session, "books")}
        claimed = postings.claim(
            session,
            "books",
            worker="w",
            limit=10,
            now=datetime.now(UTC),
            lease=timedelta(seconds=60),
        )
    assert set(pending) == {reverse, reapply}
    assert pending[reverse].reverses is not None
    assert [a.invoice_id for a in pending[reverse].application.allocations] == ["INV-1007"]
    assert pending[reapply].after_id == pending[reverse].outbox_id
    assert [e.application.idempotency_key for e in claimed] == [reverse]  # re-apply waits
    view, trail = books.queue.show(item)
    event = trail[-1]
    assert (view.status, event["action"], event["actor"]) == ("resolved", "correct", "clara")
    assert [a["invoice_id"] for a in event["before"]["allocations"]] == ["INV-1007"]
    assert [a["invoice_id"] for a in event["after"]["allocations"]] == ["INV-1008"]
    assert "remittance named INV-1008" in event["comment"]


def test_push_reverses_then_reapplies_each_exactly_once_over_repeated_cycles(
    books: Books,
) -> None:
    item = _posted_to_1007(books)
    [original] = [a for a in books.erp.posted.values() if a.bank_id == "TX0005"]
    _, reapply = books.resolver.correct(item, [("INV-1008", _760)], actor="c", reason="wrong")

    books.cycle()
    books.cycle()

    assert (books.open_amount("INV-1007"), books.open_amount("INV-1008")) == ("760.00", "0.00")
    assert list(books.erp.reversed.values()) == [original]
    assert reapply in books.erp.posted
    assert original.idempotency_key not in books.erp.posted
    assert {s for s, _ in _outbox(books.store).values()} == {"sent"}


class _Flaky(InMemoryErpGateway):
    """Fails the first reversal: before doing it, or after (the answer is lost)."""

    def __init__(self, *, lose_answer: bool) -> None:
        super().__init__(name="books")
        self.lose_answer, self.calls = lose_answer, 0

    def reverse_application(self, application: Application, erp_reference: str) -> PostResult:
        self.calls += 1
        if self.calls == 1 and not self.lose_answer:
            raise TransientConnectorError(self.name, "503 from the ERP")
        result = super().reverse_application(application, erp_reference)
        if self.calls == 1:
            raise TransientConnectorError(self.name, "read timeout")
        return result


@pytest.mark.parametrize("lose_answer", [False, True], ids=["fails-before", "answer-lost"])
def test_a_reversal_that_fails_transiently_is_retried_and_the_reapplication_waits(
    store: Store, tmp_path: Path, lose_answer: bool
) -> None:
    flaky = _Flaky(lose_answer=lose_answer)
    books = make_books(store, tmp_path, flaky)
    item = _posted_to_1007(books)
    _, reapply = books.resolver.correct(item, [("INV-1008", _760)], actor="c", reason="wrong")

    books.cycle()  # the reversal is retried after the others; the re-application follows it
    books.cycle()

    assert (books.open_amount("INV-1007"), books.open_amount("INV-1008")) == ("760.00", "0.00")
    assert len(books.erp.reversed) == 1
    assert flaky.calls == 2
    assert reapply in books.erp.posted


def test_an_erp_that_cannot_reverse_gets_a_posting_rejected_item_and_no_reapplication(
    store: Store, tmp_path: Path
) -> None:
    erp = InMemoryErpGateway(name="books", capabilities=CAPABILITIES - {ErpCapability.REVERSE})
    books = make_books(store, tmp_path, erp)
    item = _posted_to_1007(books)
    reverse, reapply = books.resolver.correct(item, [("INV-1008", _760)], actor="c", reason="wrong")

    books.cycle()
    books.cycle()

    assert (books.open_amount("INV-1007"), books.open_amount("INV-1008")) == ("0.00", "760.00")
    assert reapply not in books.erp.posted
    outbox = _outbox(books.store)
    assert outbox[reverse] == ("rejected", "books: this ERP cannot reverse an application")
    assert outbox[reapply][0] == "rejected"
    [rejected] = books.queue.open_items(reason="posting_rejected")
    assert rejected.bank_transaction_id == "TX0005"
    assert "could not reverse" in rejected.message
    assert "the original application stands" in rejected.message


def test_a_line_applied_automatically_is_corrected_by_bank_id_on_a_new_item(
    books: Books,
) -> None:
    split = [("INV-1007", _760), ("INV-1008", Decimal("490.00"))]
    reverse, reapply = books.resolver.correct("TX0001", split, actor="clara", reason="Delta paid")
    books.cycle()

    assert [books.open_amount(i) for i in ("INV-1001", "INV-1007", "INV-1008")] == [
        "1250.00",
        "0.00",
        "270.00",
    ]
    assert books.erp.posted[reapply].customer_id == "C004"
    with books.store.transaction() as session:
        [row] = session.exec(
            select(ReviewItemRow).where(col(ReviewItemRow.dedupe_key).startswith("correction:"))
        ).all()
    assert (row.reason, row.status) == ("suspected_misapplication", "resolved")
    assert reverse.endswith(":reverse:1")


def test_a_correction_can_itself_be_corrected_with_new_keys(books: Books) -> None:
    item = _posted_to_1007(books)
    books.resolver.correct(item, [("INV-1008", _760)], actor="c", reason="wrong")
    books.cycle()

    reverse, reapply = books.resolver.correct(
        item, [("INV-1007", _760)], actor="c", reason="it was right after all"
    )
    books.cycle()

    assert reverse.endswith(":reverse:2")
    assert ":reapply:" not in reverse
    assert (books.open_amount("INV-1007"), books.open_amount("INV-1008")) == ("0.00", "760.00")
    assert reapply in books.erp.posted


@pytest.mark.parametrize(
    ("allocations", "reason", "problem"),
    [
        ([("INV-1008", Decimal("700.00"))], "wrong", "add up to 700.00, the payment is 760.00"),
        ([("INV-1008", _760)], "  ", "say why"),
        ([("INV-9999", _760)], "wrong", "unknown invoice(s): INV-9999"),
    ],
)
def test_a_correction_with_wrong_amounts_invoices_or_no_reason_is_refused(
    books: Books, allocations: list[tuple[str, Decimal]], reason: str, problem: str
) -> None:
    item = _posted_to_1007(books)

    with pytest.raises(ReviewStateError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        books.resolver.correct(item, allocations, actor="c", reason=reason)
    with books.store.transaction() as session:
        assert list(postings.pending(session, "books")) == []


def test_nothing_is_corrected_before_it_is_posted_or_while_a_correction_is_in_flight(
    books: Books,
) -> None:
    item = books.item("TX0005")
    with pytest.raises(ReviewStateError, match="only a resolved item"):
        books.resolver.correct(item, [("INV-1008", _760)], actor="c", reason="x")
    books.resolver.apply(item, [("INV-1007", _760)], actor="c")
    with pytest.raises(ReviewStateError, match="still waiting for the ERP"):
        books.resolver.correct(item, [("INV-1008", _760)], actor="c", reason="x")
    books.cycle()
    books.resolver.correct(item, [("INV-1008", _760)], actor="c", reason="x")

    with pytest.raises(ReviewStateError, match="still waiting for the ERP"):
        books.resolver.correct(item, [("INV-1007", _760)], actor="c", reason="x")
    with pytest.raises(ReviewStateError, match="no posted application or bank line"):
        books.resolver.correct("TX9999", [("INV-1007", _760)], actor="c", reason="x")


def test_a_suspected_misapplication_item_is_resolved_by_its_correction(books: Books) -> None:
    with books.store.transaction() as session:
        line_id = session.exec(
            select(ApplicationRow.bank_line_id).where(
                col(ApplicationRow.idempotency_key).endswith(":TX0001")
            )
        ).one()
        item = open_item(
            session,
            NewReviewItem(
                dedupe_key="misapplied:TX0001",
                reason="suspected_misapplication",
                message="the remittance names INV-1007",
                bank_line_id=line_id,
            ),
            now=datetime.now(UTC),
        )
    assert item is not None
    split = [("INV-1007", _760), ("INV-1008", Decimal("490.00"))]

    books.resolver.correct(item, split, actor="clara", reason="Delta paid")
    books.cycle()

    view, trail = books.queue.show(item)
    assert (view.status, trail[-1]["before"]["status"]) == ("resolved", "open")
    assert books.open_amount("INV-1001") == "1250.00"
    assert books.open_amount("INV-1008") == "270.00"
