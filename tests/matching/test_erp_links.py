"""Linking payments recorded in the ERP to bank lines: every link sure, or none."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from arbridge.domain.posted import PostedAllocation, PostedPayment
from arbridge.domain.records import BankLine
from arbridge.matching import MatchSettings
from arbridge.matching.erp_links import (
    LineRef,
    Links,
    books_for,
    link_payments,
    normalise,
    payment_tokens,
    transposed,
)
from tests.matching.books import context, line


def _pay(
    pid: str,
    customer: str,
    amount: str,
    *,
    on: date = date(2026, 11, 6),
    invoice: str | None = None,
    reference: str = "",
    memo: str = "",
) -> PostedPayment:
    return PostedPayment(
        payment_id=pid,
        customer_id=customer,
        paid_on=on,
        allocations=(PostedAllocation(invoice_id=invoice, amount=Decimal(amount)),),
        reference=reference,
        memo=memo,
    )


def _link(
    lines: list[BankLine], *payments: PostedPayment, decided: dict[str, list[LineRef]] | None = None
) -> Links:
    keyed = list(enumerate(lines, start=1))
    return link_payments(keyed, payments, books_for(context(), MatchSettings()), decided=decided)


def test_references_typed_loosely_still_name_the_bank_id() -> None:
    assert normalise("tx-000123") == "TX000123"
    assert normalise("000123") == "123"
    assert {"TX88231", "88231"} <= payment_tokens(_pay("P", "C100", "1", memo="ref: TX 88231"))


def test_a_typed_bank_id_links_even_with_another_amount() -> None:
    lines = [line("ACME INDUSTRIAL SUPPLY INV-0043", "250.00", bank_id="202611060001")]

    found = _link(lines, _pay("P1", "C100", "205.00", reference="bank 202611060001"))

    assert found.linked == {1: ["P1"]}
    assert "bank id" in found.how[1]


def test_a_short_bank_id_alone_is_no_link_unless_the_field_is_it_and_the_amount_agrees() -> None:
    lines = [line("ACME INDUSTRIAL SUPPLY", "250.00", bank_id="1043")]

    named_invoice = _link(lines, _pay("P1", "C400", "999.00", memo="INV 1043"))
    whole_field = _link(lines, _pay("P1", "C400", "250.00", reference="1043", on=date(2026, 12, 1)))

    assert named_invoice.linked == {}
    assert whole_field.linked == {1: ["P1"]}


def test_amount_and_the_payers_customer_link_when_both_sides_are_unique() -> None:
    lines = [
        line("ACME INDUSTRIAL SUPPLY", "250.00", bank_id="A"),
        line("DELTA HARBOR LOGISTICS", "250.00", bank_id="B"),
    ]

    found = _link(lines, _pay("P1", "C400", "250.00", on=date(2026, 11, 8)))

    assert found.linked == {2: ["P1"]}
    assert found.unsure == {}


def test_two_candidate_payments_are_not_guessed() -> None:
    lines = [line("DELTA HARBOR LOGISTICS", "760.00")]

    found = _link(
        lines,
        _pay("P1", "C400", "760.00", invoice="INV-3001"),
        _pay("P2", "C400", "760.00", invoice="INV-3002"),
    )

    assert found.linked == {}
    assert found.unsure == {1: ["P1", "P2"]}


def test_two_candidate_lines_naming_different_invoices_are_not_guessed() -> None:
    lines = [
        line("DELTA HARBOR LOGISTICS INV-3001", "760.00", bank_id="A"),
        line("DELTA HARBOR LOGISTICS INV-3002", "760.00", bank_id="B", on=date(2026, 11, 7)),
    ]

    found = _link(lines, _pay("P1", "C400", "760.00"))

    assert found.linked == {}
    assert set(found.unsure) == {1, 2}


def test_interchangeable_lines_and_payments_pair_in_date_order() -> None:
    lines = [
        line("DELTA HARBOR LOGISTICS", "760.00", bank_id="A", on=date(2026, 11, 7)),
        line("DELTA HARBOR LOGISTICS", "760.00", bank_id="B", on=date(2026, 11, 5)),
        line("DELTA HARBOR LOGISTICS", "760.00", bank_id="C", on=date(2026, 11, 9)),
    ]

    found = _link(
        lines,
        _pay("P1", "C400", "760.00", on=date(2026, 11, 8)),
        _pay("P2", "C400", "760.00", on=date(2026, 11, 6)),
    )

    assert found.linked == {2: ["P2"], 1: ["P1"]}  # the third line is cash nobody recorded
    assert found.unsure == {}


def test_one_payment_entered_twice_for_one_line_is_linked_whole() -> None:
    lines = [line("DELTA HARBOR LOGISTICS", "760.00")]

    found = _link(
        lines,
        _pay("P1", "C400", "760.00", invoice="INV-3001"),
        _pay("P2", "C400", "760.00", invoice="INV-3001", on=date(2026, 11, 7)),
    )

    assert found.linked == {1: ["P1", "P2"]}


def test_a_payment_outside_the_window_is_no_candidate() -> None:
    lines = [line("DELTA HARBOR LOGISTICS", "760.00")]

    found = _link(lines, _pay("P1", "C400", "760.00", on=date(2026, 12, 30)))

    assert found == Links()


def test_another_customers_round_amount_is_never_linked_but_asked_about() -> None:
    lines = [line("ACME INDUSTRIAL SUPPLY", "500.00")]

    found = _link(lines, _pay("P1", "C400", "500.00"))

    assert found.linked == {}
    assert found.unsure == {1: ["P1"]}


def test_a_payment_no_line_of_its_customer_explains_holds_every_line_it_may_be() -> None:
    lines = [
        line("ACME INDUSTRIAL SUPPLY", "512.34", bank_id="A"),
        line("JOHNSON & SONS", "512.34", bank_id="B"),
    ]

    found = _link(lines, _pay("P1", "C400", "512.34"))

    assert found.linked == {}
    assert found.unsure == {1: ["P1"], 2: ["P1"]}


def test_a_payment_its_customers_own_line_explains_holds_no_other_line() -> None:
    lines = [
        line("ACME INDUSTRIAL SUPPLY", "500.00", bank_id="A"),
        line("DELTA HARBOR LOGISTICS", "500.00", bank_id="B"),
    ]

    found = _link(lines, _pay("P1", "C400", "500.00"))

    assert found.linked == {2: ["P1"]}
    assert found.unsure == {}


def test_another_customers_distinctive_amount_on_the_same_day_is_linked() -> None:
    lines = [line("ACME INDUSTRIAL SUPPLY", "1234.56")]

    found = _link(lines, _pay("P1", "C400", "1234.56", invoice="INV-3003"))

    assert found.linked == {1: ["P1"]}


def test_cents_apart_from_the_payers_customer_is_asked_about() -> None:
    lines = [line("ACME INDUSTRIAL SUPPLY", "250.00")]

    found = _link(lines, _pay("P1", "C100", "249.97"))

    assert found.linked == {}
    assert found.unsure == {1: ["P1"]}


def test_swapped_digits_from_the_payers_customer_link() -> None:
    assert transposed(Decimal("1234.56"), Decimal("1243.56"))
    assert not transposed(Decimal("1234.56"), Decimal("1234.65") + 1)
    lines = [line("ACME INDUSTRIAL SUPPLY", "1234.56")]

    found = _link(lines, _pay("P1", "C100", "1243.56"))

    assert found.linked == {1: ["P1"]}


def test_check_number_needs_the_amount_or_the_customer() -> None:
    lines = [line("CHECK 004471 DEPOSIT", "812.34")]

    right = _link(lines, _pay("P1", "C500", "812.34", reference="chk #4471"))
    stranger = _link(lines, _pay("P1", "C500", "99.00", reference="chk #4471"))

    assert right.linked == {1: ["P1"]}
    assert stranger.linked == {}


def test_a_reference_to_a_line_decided_earlier_settles_or_joins_it() -> None:
    decided = {
        "TX777001": [LineRef(9, "operating", "TX777001", recorded=False)],
        "TX777002": [LineRef(8, "operating", "TX777002", recorded=True)],
    }

    found = _link(
        [],
        _pay("P1", "C100", "250.00", reference="TX777001"),
        _pay("P2", "C100", "250.00", reference="TX777002"),
        decided=decided,
    )

    assert found.settled == {"P1": 9}
    assert found.joined == {"P2": 8}
    assert found.linked == {}


def test_a_parent_paying_is_its_subsidiarys_customer_for_an_amount_link() -> None:
    lines = [line("NORTHWESTERN PRECISION MANUFACTURING", "430.00")]

    found = _link(lines, _pay("P1", "C301", "430.00", invoice="INV-2001"))

    assert found.linked == {1: ["P1"]}
