"""post_in_chunks: a failure defers one application; the ERP counts as down after five calls fail."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from arbridge.connectors.base import PostOutcome, PostResult
from arbridge.connectors.erp._http.batching import post_in_chunks
from arbridge.connectors.errors import ConnectorError, TransientConnectorError
from arbridge.domain.records import Allocation, Application


def _apps(n: int) -> list[Application]:
    return [
        Application(
            idempotency_key=f"e:a:TX{i}",
            bank_account="a",
            bank_id=f"TX{i}",
            customer_id="C1",
            booked_on=date(2026, 11, 2),
            amount=Decimal("1.00"),
            allocations=(Allocation(invoice_id=None, customer_id="C1", amount=Decimal("1.00")),),
        )
        for i in range(n)
    ]


def _ok(_app: Application, _seen: None) -> PostResult:
    return PostResult(outcome=PostOutcome.POSTED)


def test_one_failed_batch_call_counts_once_not_once_per_application() -> None:
    """A chunk of 25 sharing one failed call is one failure: the next chunks still go."""
    calls: list[int] = []

    def post_many(chunk: Sequence[Application], _seen: None) -> list[PostResult | ConnectorError]:
        calls.append(len(chunk))
        if len(calls) == 1:
            failure = TransientConnectorError("e", "HTTP 503")
            return [failure] * len(chunk)
        return [PostResult(outcome=PostOutcome.POSTED) for _ in chunk]

    results = post_in_chunks(_apps(75), 25, lambda _c: None, _ok, post_many=post_many)

    assert calls == [25, 25, 25]
    assert len(results) == 75
    assert sum(isinstance(r, TransientConnectorError) for r in results) == 25


def test_five_separate_failures_in_a_row_stop_the_batch() -> None:
    def post(app: Application, _seen: None) -> PostResult:
        raise TransientConnectorError("e", f"HTTP 503 for {app.bank_id}")

    results = post_in_chunks(_apps(40), 10, lambda _c: None, post)

    assert len(results) == 5
    assert all(isinstance(r, TransientConnectorError) for r in results)
