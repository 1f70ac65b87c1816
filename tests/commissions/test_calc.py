"""The plan's rules, one at a time, on hand-made cash events (no store)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from arbridge.commissions import Plan, PlanError, Tier, compute, portions_of, rep_shares
from arbridge.domain.commissions import CashEvent, CommissionLine, InvoiceTerms

D = Decimal


def _event(
    app: int,
    invoice: str,
    cash: str,
    day: int = 5,
    *,
    reverses: int | None = None,
    recorded: date | None = None,
) -> CashEvent:
    booked = date(2026, 11, day)
    return CashEvent(
        application_id=app,
        bank_id=f"TX{app}",
        booked_on=booked,
        recorded_on=recorded or booked,
        invoice_id=invoice,
        customer_id="C1",
        cash=D(cash),
        reverses_id=reverses,
        correction=reverses is not None,
    )


def _terms(invoice: str, rep: str = "R1", amount: str = "1000.00", **extra: object) -> InvoiceTerms:
    fields: dict[str, object] = {"customer_id": "C1", **extra}
    return InvoiceTerms(invoice_id=invoice, sales_rep=rep, amount=D(amount), **fields)  # type: ignore[arg-type]  # test helper passes typed keywords through


def _money(lines: list[CommissionLine]) -> list[tuple[str, str, str, str]]:
    return [(x.sales_rep, str(x.cash_amount), str(x.rate), str(x.commission)) for x in lines]


FLAT = Plan(default_rate=D("0.03"), reps={"R1": D("0.05")})


def test_cash_times_rate_is_rounded_half_up_to_cents() -> None:
    lines = compute([_event(1, "I1", "100.10"), _event(2, "I2", "0.30")], _both(), FLAT)

    assert _money(lines) == [("R1", "100.10", "0.05", "5.01"), ("R2", "0.30", "0.03", "0.01")]


def _both() -> dict[str, InvoiceTerms]:
    return {"I1": _terms("I1"), "I2": _terms("I2", rep="R2")}


def test_cash_on_an_invoice_without_a_rep_earns_nothing() -> None:
    assert compute([_event(1, "I9", "500.00")], _both(), FLAT) == []


def test_tiers_are_marginal_on_the_reps_cumulative_cash_and_split_the_line_that_crosses() -> None:
    tiers = (Tier(rate=D("0.03"), up_to=D("1000")), Tier(rate=D("0.04")))
    plan = Plan(reps={"R1": tiers})
    events = [
        _event(1, "I1", "600.00", 1),
        _event(2, "I1", "600.00", 2),
        _event(3, "I1", "50.00", 3),
    ]

    lines = compute(events, {"I1": _terms("I1")}, plan)

    assert _money(lines) == [
        ("R1", "600.00", "0.03", "18.00"),
        ("R1", "400.00", "0.03", "12.00"),
        ("R1", "200.00", "0.04", "8.00"),
        ("R1", "50.00", "0.04", "2.00"),
    ]
    assert [x.application_id for x in lines] == [1, 2, 2, 3]


def test_global_tiers_serve_reps_without_their_own_rate() -> None:
    tiers = (Tier(rate=D("0.01"), up_to=D("100")), Tier(rate=D("0.02")))
    plan = Plan(reps={"R1": D("0.05")}, tiers=tiers, default_rate=D("0.09"))

    lines = compute([_event(1, "I1", "200.00"), _event(2, "I2", "200.00")], _both(), plan)

    assert _money(lines) == [
        ("R1", "200.00", "0.05", "10.00"),
        ("R2", "100.00", "0.01", "1.00"),
        ("R2", "100.00", "0.02", "2.00"),
    ]


def test_invoice_kind_beats_customer_which_beats_the_rep() -> None:
    plan = Plan(
        reps={"R1": D("0.05")},
        customers={"C1": D("0.02")},
        invoice_kinds={"service": D("0.10")},
    )
    terms = {"I1": _terms("I1", kind="service"), "I2": _terms("I2"), "I3": _terms("I3", kind="x")}
    plain = Plan(reps={"R1": D("0.05")})
    events = [_event(1, "I1", "100.00"), _event(2, "I2", "100.00"), _event(3, "I3", "100.00")]

    assert [str(x.rate) for x in compute(events, terms, plan)] == ["0.10", "0.02", "0.02"]
    assert [str(x.rate) for x in compute(events, terms, plain)] == ["0.05"] * 3


def test_split_credit_gives_each_rep_a_share_that_adds_up_to_the_cash() -> None:
    terms = {"I1": _terms("I1", rep="R1=0.6;R2=0.4"), "I2": _terms("I2", rep="R1;R2;R3")}
    plan = Plan(default_rate=D("0.10"))

    lines = compute([_event(1, "I1", "100.01"), _event(2, "I2", "100.00")], terms, plan)

    by_app = {(x.application_id, x.sales_rep): x.cash_amount for x in lines}
    assert by_app[1, "R1"] == D("60.01")  # 60.006 half up
    assert by_app[1, "R1"] + by_app[1, "R2"] == D("100.01")
    assert sum(v for (a, _), v in by_app.items() if a == 2) == D("100.00")
    assert by_app[2, "R3"] == D("33.34")  # the last rep takes the rounding


@pytest.mark.parametrize("rep", ["R1=0.6;R2=0.3", "R1=abc;R2=0.5", "=0.5;R2=0.5", "R1=0;R2=1"])
def test_a_split_that_does_not_add_up_is_refused_naming_the_invoice(rep: str) -> None:
    with pytest.raises(PlanError, match="I7"):
        rep_shares(_terms("I7", rep=rep))


def test_percent_shares_are_read_as_percent() -> None:
    assert rep_shares(_terms("I1", rep="R1=75%; R2=25%")) == [("R1", D("0.75")), ("R2", D("0.25"))]


def test_approved_only_leaves_out_invoices_marked_not_approved_but_keeps_unmarked_ones() -> None:
    terms = {
        "I1": _terms("I1", approved=False),
        "I2": _terms("I2", approved=True),
        "I3": _terms("I3"),
    }
    events = [_event(1, "I1", "10.00"), _event(2, "I2", "10.00"), _event(3, "I3", "10.00")]

    strict = compute(events, terms, Plan(default_rate=D("0.1"), approved_only=True))
    lenient = compute(events, terms, Plan(default_rate=D("0.1")))

    assert [x.invoice_id for x in strict] == ["I2", "I3"]
    assert len(lenient) == 3


def test_the_basis_leaves_out_tax_and_freight_pro_rata_but_the_cash_stays_whole() -> None:
    terms = {"I1": _terms("I1", amount="1100.00", tax_amount=D("80.00"), freight_amount=D("20.00"))}
    events = [_event(1, "I1", "550.00")]

    both = compute(
        events, terms, Plan(default_rate=D("0.10"), exclude_tax=True, exclude_freight=True)
    )
    tax = compute(events, terms, Plan(default_rate=D("0.10"), exclude_tax=True))
    none = compute(events, terms, Plan(default_rate=D("0.10")))

    assert [(str(x.cash_amount), str(x.basis), str(x.commission)) for x in both] == [
        ("550.00", "500.00", "50.00")
    ]
    assert [str(x.basis) for x in tax] == ["510.00"]
    assert [str(x.basis) for x in none] == ["550.00"]


def test_a_reversal_claws_back_at_the_originals_rates_as_negative_lines_pointing_to_it() -> None:
    tiers = (Tier(rate=D("0.03"), up_to=D("1000")), Tier(rate=D("0.04")))
    plan = Plan(reps={"R1": tiers})
    events = [
        _event(1, "I1", "900.00", 1),
        _event(2, "I1", "300.00", 2),  # 100 at 3 %, 200 at 4 %
        _event(3, "I1", "300.00", 20, reverses=2),
    ]

    lines = compute(events, {"I1": _terms("I1")}, plan)

    clawback = [x for x in lines if x.reverses_id == 2]
    assert [(str(x.cash_amount), str(x.rate), str(x.commission)) for x in clawback] == [
        ("-100.00", "0.03", "-3.00"),
        ("-200.00", "0.04", "-8.00"),
    ]
    assert sum(x.commission for x in lines) == D("27.00")  # only the 900.00 stands


def test_a_reversal_of_an_earlier_periods_line_uses_the_frozen_rate_not_todays() -> None:
    earlier = compute([_event(1, "I1", "100.00")], {"I1": _terms("I1")}, FLAT)
    raised = Plan(reps={"R1": D("0.08")})

    lines = compute(
        [_event(2, "I1", "100.00", reverses=1)], {"I1": _terms("I1")}, raised, portions_of(earlier)
    )

    assert _money(lines) == [("R1", "-100.00", "0.05", "-5.00")]
    assert lines[0].reverses_id == 1


def test_a_rep_without_any_rate_earns_zero_and_is_reported_as_unpriced() -> None:
    unpriced: set[str] = set()
    events = [_event(1, "I1", "10.00"), _event(2, "I2", "10.00")]

    lines = compute(events, _both(), Plan(reps={"R1": D("0.05")}), unpriced=unpriced)

    assert _money(lines) == [("R1", "10.00", "0.05", "0.50"), ("R2", "10.00", "0", "0.00")]
    assert unpriced == {"R2"}


def test_a_correction_counts_on_the_day_it_was_made_a_payment_on_its_booking_day() -> None:
    late = date(2026, 12, 3)
    payment = _event(1, "I1", "10.00", recorded=late)
    reversal = _event(2, "I1", "10.00", reverses=1, recorded=late)

    assert payment.effective_on == date(2026, 11, 5)
    assert reversal.effective_on == late
