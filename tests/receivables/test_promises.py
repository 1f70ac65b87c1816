"""Promises and plan instalments are kept or broken by the cash that arrives."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from arbridge.receivables.promises import Promise, PromiseStatus, Receipt, settle

MADE = date(2026, 11, 1)


def _p(pid: int, due: str, amount: str, customer: str = "C1") -> Promise:
    return Promise(pid, customer, MADE, date.fromisoformat(due), Decimal(amount))


def _r(booked: str, amount: str, customer: str = "C1") -> Receipt:
    return Receipt(customer, date.fromisoformat(booked), Decimal(amount))


def test_kept_when_the_money_arrives_by_the_date() -> None:
    out = settle([_p(1, "2026-11-10", "500.00")], [_r("2026-11-09", "500.00")], date(2026, 11, 9))

    assert out == {1: PromiseStatus.KEPT}


def test_open_until_the_date_then_broken() -> None:
    promises = [_p(1, "2026-11-10", "500.00")]
    short = [_r("2026-11-05", "200.00")]

    assert settle(promises, short, date(2026, 11, 10)) == {1: PromiseStatus.OPEN}
    assert settle(promises, short, date(2026, 11, 11)) == {1: PromiseStatus.BROKEN}


def test_cash_after_the_date_does_not_keep_it_and_other_customers_cash_never_counts() -> None:
    promises = [_p(1, "2026-11-10", "500.00")]
    cash = [_r("2026-11-12", "500.00"), _r("2026-11-08", "500.00", customer="C2")]

    assert settle(promises, cash, date(2026, 11, 15)) == {1: PromiseStatus.BROKEN}


def test_cash_before_the_promise_was_made_does_not_count() -> None:
    cash = [_r("2026-10-30", "500.00")]

    assert settle([_p(1, "2026-11-10", "500.00")], cash, date(2026, 11, 20)) == {
        1: PromiseStatus.BROKEN
    }


def test_plan_instalments_are_kept_in_turn() -> None:
    plan = [_p(1, "2026-11-10", "300.00"), _p(2, "2026-12-10", "300.00")]
    cash = [_r("2026-11-10", "300.00"), _r("2026-11-25", "100.00")]

    assert settle(plan, cash, date(2026, 11, 30)) == {
        1: PromiseStatus.KEPT,
        2: PromiseStatus.OPEN,
    }
    assert settle(plan, cash, date(2026, 12, 11)) == {
        1: PromiseStatus.KEPT,
        2: PromiseStatus.BROKEN,
    }
    cash.append(_r("2026-12-01", "200.00"))
    assert settle(plan, cash, date(2026, 12, 11))[2] is PromiseStatus.KEPT


def test_settled_promises_stay_as_they_are() -> None:
    done = Promise(9, "C1", MADE, date(2026, 11, 10), Decimal(5), PromiseStatus.CANCELLED)

    assert settle([done], [_r("2026-11-02", "5")], date(2026, 11, 30)) == {
        9: PromiseStatus.CANCELLED
    }
