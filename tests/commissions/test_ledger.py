"""The ledger over a real store and a real cycle: corrections claw back, closed months hold.

The in-memory ERP can reverse (the csv ERP cannot), so corrections reach it as they would
reach Business Central: the reversal first, then the re-application.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from arbridge.app.commissions import CommissionLedger, PeriodError
from arbridge.commissions import Plan, Tier
from arbridge.connectors.bank import FolderBankSource
from arbridge.connectors.erp import InMemoryErpGateway
from arbridge.domain.commissions import CommissionLine
from arbridge.domain.records import Customer, Invoice
from arbridge.review.resolutions import Resolver
from arbridge.scheduler import CycleDeps, run_cycle
from arbridge.store import Store
from tests.conftest import CONTRACT_PROFILE

D = Decimal
PLAN = Plan(default_rate=D("0.03"), reps={"R-EAST": D("0.05")})
BANK = [
    ("11/03/2026", "ACME INDUSTRIAL SUPPLY INV-3001", "400.00", "TX1"),
    ("11/09/2026", "BRIGHTWATER FOODS INV-3002", "600.00", "TX2"),
]


def _invoice(number: str, customer: str, amount: str, rep: str) -> Invoice:
    return Invoice(
        invoice_id=number,
        customer_id=customer,
        invoice_date=date(2026, 10, 1),
        due_date=date(2026, 10, 31),
        amount=D(amount),
        open_amount=D(amount),
        sales_rep=rep,
    )


@dataclass
class World:
    store: Store
    erp: InMemoryErpGateway
    deps: CycleDeps
    now: list[datetime]

    def at(self, day: date) -> None:
        self.now[0] = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)

    def clock(self) -> datetime:
        return self.now[0]

    def cycle(self) -> None:
        run_cycle(self.deps)

    def ledger(self, plan: Plan = PLAN) -> CommissionLedger:
        return CommissionLedger(self.store, "books", plan, self.clock)

    def correct(self, bank_id: str, invoice: str, amount: str) -> None:
        resolver = Resolver(self.store, "books", self.clock)
        resolver.correct(bank_id, [(invoice, D(amount))], actor="clara", reason="wrong invoice")
        self.cycle()
        self.cycle()


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    bank = tmp_path / "bank"
    bank.mkdir()
    with (bank / "nov.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Date", "Description", "Amount", "Transaction ID"])
        writer.writerows(BANK)
    erp = InMemoryErpGateway(
        name="books",
        customers=[
            Customer(customer_id="C001", name="Acme Industrial Supply"),
            Customer(customer_id="C002", name="Brightwater Foods"),
        ],
        invoices=[
            _invoice("INV-3001", "C001", "400.00", "R-EAST"),
            _invoice("INV-3002", "C002", "600.00", "R-WEST"),
            _invoice("INV-3003", "C002", "600.00", "R-EAST"),
        ],
    )
    now = [datetime(2026, 11, 10, 12, tzinfo=UTC)]
    source = FolderBankSource(
        name="operating", path=bank, currency="USD", csv_profile=CONTRACT_PROFILE
    )
    deps = CycleDeps(store=store, bank_sources=[source], erp=erp, clock=lambda: now[0])
    world = World(store, erp, deps, now)
    world.cycle()
    return world


def _rows(lines: list[CommissionLine]) -> list[tuple[str, str, str, str, str]]:
    return [
        (x.sales_rep, x.invoice_id, x.bank_id, str(x.cash_amount), str(x.commission)) for x in lines
    ]


NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
DECEMBER = (date(2026, 12, 1), date(2026, 12, 31))


def test_a_correction_within_the_period_shows_the_reversal_as_negative_rows(world: World) -> None:
    world.at(date(2026, 11, 20))
    world.correct("TX2", "INV-3003", "600.00")

    lines = world.ledger().report(*NOVEMBER)

    assert sorted(_rows(lines)) == sorted(
        [
            ("R-EAST", "INV-3001", "TX1", "400.00", "20.00"),
            ("R-EAST", "INV-3003", "TX2", "600.00", "30.00"),
            ("R-WEST", "INV-3002", "TX2", "600.00", "18.00"),
            ("R-WEST", "INV-3002", "TX2", "-600.00", "-18.00"),
        ]
    )
    [undo] = [x for x in lines if x.cash_amount < 0]
    [original] = [x for x in lines if x.invoice_id == "INV-3002" and x.cash_amount > 0]
    assert undo.reverses_id == original.application_id
    assert undo.booked_on == original.booked_on == date(2026, 11, 9)
    assert world.erp.invoices["INV-3002"].open_amount == D("600.00")  # the ERP agrees


def test_a_correction_after_the_close_lands_in_the_open_month_and_november_stays_as_closed(
    world: World,
) -> None:
    world.at(date(2026, 12, 2))
    closed = world.ledger().close("2026-11", actor="payroll")

    world.at(date(2026, 12, 3))
    world.correct("TX2", "INV-3003", "600.00")

    november = world.ledger().report(*NOVEMBER)
    december = world.ledger().report(*DECEMBER)
    assert november == closed
    assert sorted(_rows(december)) == [
        ("R-EAST", "INV-3003", "TX2", "600.00", "30.00"),
        ("R-WEST", "INV-3002", "TX2", "-600.00", "-18.00"),
    ]
    assert {x.effective_on for x in december} == {date(2026, 12, 3)}


def test_a_clawback_in_a_later_month_uses_the_rate_the_original_earned(world: World) -> None:
    world.at(date(2026, 12, 2))
    world.ledger().close("2026-11", actor="payroll")
    world.at(date(2026, 12, 3))
    world.correct("TX2", "INV-3003", "600.00")

    raised = Plan(default_rate=D("0.10"), reps={"R-EAST": D("0.05")})
    december = world.ledger(raised).report(*DECEMBER)

    [undo] = [x for x in december if x.cash_amount < 0]
    assert (undo.rate, undo.commission) == (D("0.03"), D("-18.00"))


def test_a_payment_recorded_after_its_month_closed_is_paid_in_the_next_open_month(
    world: World, tmp_path: Path
) -> None:
    world.at(date(2026, 12, 2))
    world.ledger().close("2026-11", actor="payroll")
    with (tmp_path / "bank" / "late.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [
                ["Date", "Description", "Amount", "Transaction ID"],
                ["11/30/2026", "BRIGHTWATER FOODS INV-3003", "100.00", "TX3"],
            ]
        )
    world.cycle()

    assert [x.bank_id for x in world.ledger().report(*NOVEMBER)] == ["TX1", "TX2"]
    [late] = world.ledger().report(*DECEMBER)
    assert (late.bank_id, late.booked_on, late.effective_on) == (
        "TX3",
        date(2026, 11, 30),
        date(2026, 12, 1),
    )


def test_tiers_count_the_whole_month_even_for_a_report_of_part_of_it(world: World) -> None:
    world.at(date(2026, 11, 20))
    world.correct("TX2", "INV-3003", "600.00")  # R-EAST's second payment of the month
    plan = Plan(tiers=(Tier(rate=D("0.01"), up_to=D("500")), Tier(rate=D("0.02"))))

    day = world.ledger(plan).report(date(2026, 11, 20), date(2026, 11, 20))

    east = [(str(x.cash_amount), str(x.rate)) for x in day if x.sales_rep == "R-EAST"]
    assert east == [("100.00", "0.01"), ("500.00", "0.02")]  # 400.00 of Nov 3 came first
    west = [(str(x.cash_amount), str(x.rate)) for x in day if x.sales_rep == "R-WEST"]
    assert west == [("-500.00", "0.01"), ("-100.00", "0.02")]  # as TX2 earned on Nov 9


@pytest.mark.parametrize(
    ("today", "period", "complaint"),
    [
        (date(2026, 11, 30), "2026-11", "not over"),
        (date(2026, 12, 5), "2026-13", "not a month"),
    ],
)
def test_a_period_that_cannot_close_is_refused(
    world: World, today: date, period: str, complaint: str
) -> None:
    world.at(today)
    with pytest.raises(PeriodError, match=complaint):
        world.ledger().close(period, actor="payroll")


def test_periods_close_once_and_in_order(world: World) -> None:
    world.at(date(2027, 2, 2))
    world.ledger().close("2026-11", actor="payroll")

    with pytest.raises(PeriodError, match="closed already"):
        world.ledger().close("2026-11", actor="payroll")
    with pytest.raises(PeriodError, match="2026-12 first"):
        world.ledger().close("2027-01", actor="payroll")
