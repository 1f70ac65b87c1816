"""Properties of the engine on random books and payments (hypothesis)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from arbridge.domain.records import BankLine, Customer, Invoice, ProposalOutcome
from arbridge.matching import MatchContext, MatchSettings, match_lines

NAMES = [
    "Acme Supply Inc",
    "Acme Services Inc",
    "Brightwater Foods LLC",
    "Cobalt Mining Corp",
    "Delta Logistics Co",
]
cents = st.integers(min_value=1, max_value=500_000).map(lambda c: Decimal(c) / 100)


@st.composite
def books(draw: st.DrawFn) -> tuple[MatchContext, list[BankLine]]:
    customers = [
        Customer(
            customer_id=f"C{i}",
            name=name,
            parent_id="C0" if i == 4 else None,
            terms=draw(st.sampled_from(["NET30", "2/10 NET30"])),
        )
        for i, name in enumerate(NAMES)
    ]
    invoices = []
    for n in range(draw(st.integers(min_value=1, max_value=25))):
        amount = draw(st.sampled_from([Decimal("100.00"), Decimal("760.00")]) | cents)
        paid = draw(st.sampled_from([Decimal(0), amount, amount / 2])).quantize(Decimal("0.01"))
        issued = date(2026, 10, 1) + timedelta(days=draw(st.integers(0, 40)))
        invoices.append(
            Invoice(
                invoice_id=f"INV-{n:04d}",
                customer_id=f"C{draw(st.integers(0, 4))}",
                invoice_date=issued,
                due_date=issued + timedelta(days=30),
                amount=amount,
                open_amount=amount - paid,
                terms=draw(st.sampled_from(["", "2/10 NET30"])),
            )
        )
    lines = []
    for k in range(draw(st.integers(min_value=1, max_value=12))):
        inv = draw(st.sampled_from(invoices))
        who = draw(st.sampled_from([*NAMES, "UNKNOWN PAYER", "INTEREST"])).upper()
        ref = draw(
            st.sampled_from(
                [
                    "",
                    inv.invoice_id,
                    inv.invoice_id.lower().replace("-", " "),
                    "#" + inv.invoice_id[-2:],
                ]
            )
        )
        amount = draw(
            st.sampled_from([inv.open_amount, inv.amount * Decimal("0.98"), inv.open_amount - 15])
            | cents
        )
        amount = amount.quantize(Decimal("0.01"))
        lines.append(
            BankLine(
                account="op",
                bank_id=f"TX{k}",
                booked_on=date(2026, 11, draw(st.integers(1, 28))),
                amount=amount,
                currency="USD",
                description=f"{who} {ref}".strip(),
            )
        )
    customers_by_id = {c.customer_id: c for c in customers}
    return MatchContext(customers=customers_by_id, invoices=invoices), lines


@settings(max_examples=150, deadline=None)
@given(books())
def test_applications_never_exceed_the_payment_or_what_is_open(
    case: tuple[MatchContext, list[BankLine]],
) -> None:
    context, lines = case
    engine = MatchSettings()
    open_at_start = {inv.invoice_id: inv for inv in context.invoices}
    closed: defaultdict[str, Decimal] = defaultdict(Decimal)
    for proposal in match_lines(lines, context, engine):
        if proposal.outcome is not ProposalOutcome.APPLY:
            assert not proposal.allocations
            continue
        assert proposal.line.amount > 0
        assert sum(a.amount for a in proposal.allocations) == proposal.line.amount
        for a in proposal.allocations:
            assert a.amount > 0
            assert a.adjustment >= 0
            if a.invoice_id is None:
                assert a.customer_id == proposal.customer_id
                continue
            inv = open_at_start[a.invoice_id]
            assert a.customer_id == inv.customer_id
            owner = context.customers[inv.customer_id]
            assert proposal.customer_id in {inv.customer_id, owner.parent_id}, (
                "another customer's invoice"
            )
            assert a.adjustment <= max(
                engine.bank_fee_tolerance, inv.amount * Decimal("0.02") + Decimal("0.01")
            )
            closed[a.invoice_id] += a.amount + a.adjustment
            assert closed[a.invoice_id] <= inv.open_amount


@settings(max_examples=50, deadline=None)
@given(books(), st.randoms(use_true_random=False))
def test_same_inputs_give_the_same_output_in_any_order(
    case: tuple[MatchContext, list[BankLine]], rnd: random.Random
) -> None:
    context, lines = case
    shuffled = list(lines)
    rnd.shuffle(shuffled)
    assert match_lines(lines, context) == match_lines(shuffled, context)
