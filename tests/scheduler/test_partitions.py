"""Partition assignment: deterministic, one customer per partition, everything else shared."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal

from arbridge.domain.records import (
    Allocation,
    BankLine,
    Proposal,
    ProposalOutcome,
    Suggestion,
)
from arbridge.domain.review import ReviewReason
from arbridge.scheduler.partitions import Plan, home_of, partition_of, plan, within

LINE = BankLine(
    account="operating",
    bank_id="TX1",
    booked_on=date(2026, 11, 2),
    amount=Decimal("30.00"),
    currency="USD",
    description="PAYMENT",
)


def _apply(*pairs: tuple[str, str], payer: str | None = None) -> Proposal:
    allocations = tuple(
        Allocation(invoice_id=invoice, customer_id=customer, amount=Decimal("10.00"))
        for invoice, customer in pairs
    )
    return Proposal(
        line=LINE,
        outcome=ProposalOutcome.APPLY,
        explanation="test",
        customer_id=payer or pairs[0][1],
        allocations=allocations,
    )


def _review(customer: str | None, *suggested: str | None) -> Proposal:
    return Proposal(
        line=LINE,
        outcome=ProposalOutcome.REVIEW,
        explanation="test",
        customer_id=customer,
        reason=ReviewReason.LOOKALIKE_INVOICES,
        suggestions=tuple(
            Suggestion(invoice_ids=("INV-1",), customer_id=c, explanation="maybe")
            for c in suggested
        ),
    )


def test_a_customer_has_the_same_partition_in_every_process() -> None:
    ids = ["C1", "C2", "ACME-ÜBER", "0"]
    code = (
        "from arbridge.scheduler.partitions import partition_of;"
        f"print([partition_of(c) for c in {ids!r}])"
    )
    seen = set()
    for seed in ("1", "2"):  # str hashes differ between these processes; partitions must not
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        seen.add(out.stdout.strip())
    assert seen == {str([partition_of(c) for c in ids])}
    assert all(0 <= partition_of(c) < 2**31 for c in ids)  # a PostgreSQL integer
    assert len({partition_of(c) for c in ids}) == len(ids)


def test_a_known_payer_on_its_own_invoices_has_its_customers_partition() -> None:
    assert home_of(_apply(("INV-1", "C1"), ("INV-2", "C1"))) == partition_of("C1")
    assert home_of(_review("C1", "C1")) == partition_of("C1")


def test_lines_that_may_span_customers_or_have_no_payer_are_shared() -> None:
    assert home_of(_apply(("INV-1", "C1"), ("INV-9", "C2"))) is None  # a multi-customer payment
    assert home_of(_apply(("INV-9", "C2"), payer="C1")) is None  # a parent paying a child
    assert home_of(_review(None, "C1")) is None  # payer unknown
    assert home_of(_review("C1", "C1", "C2")) is None  # suggestions of two customers
    ignored = Proposal(line=LINE, outcome=ProposalOutcome.IGNORE, explanation="debit")
    assert home_of(ignored) is None


def test_an_application_outside_the_partitions_held_is_not_within() -> None:
    two = _apply(("INV-1", "C1"), ("INV-9", "C2"))
    assert within(two, {partition_of("C1"), partition_of("C2")})
    assert not within(two, {partition_of("C1")})
    assert within(_review("C2"), {partition_of("C1")})  # a review item spends nothing


def test_chunks_cover_every_planned_line_once_and_respect_the_size() -> None:
    proposals = [(n, _apply((f"INV-{n}", f"C{n % 7}"))) for n in range(1, 60)]
    proposals += [(100 + n, _apply(("INV-1", "C1"), ("INV-2", "C2"))) for n in range(5)]
    the_plan = plan(proposals)
    assert sorted(the_plan.remainder) == [100 + n for n in range(5)]
    for start in (0, 3):
        chunks = list(the_plan.chunks(10, start))
        ids = [i for chunk in chunks for i in chunk.held(chunk.partitions)]
        assert sorted(ids) == list(range(1, 60))
        assert all(len(chunk.held(chunk.partitions)) <= 10 for chunk in chunks)
        for chunk in chunks:  # a chunk's lines are those of its partitions only
            for key, line_ids in chunk.lines.items():
                assert all(partition_of(f"C{i % 7}") == key for i in line_ids)
    firsts = {next(iter(the_plan.chunks(10, s))).partitions for s in range(7)}
    assert len(firsts) > 1  # daemons starting elsewhere begin on other partitions


def test_a_partition_bigger_than_a_chunk_comes_in_slices() -> None:
    the_plan = Plan(partitions={5: list(range(25))})
    slices = [chunk.lines[5] for chunk in the_plan.chunks(10)]
    assert [len(s) for s in slices] == [10, 10, 5]
    assert list(the_plan.remainder_chunks(10)) == []
