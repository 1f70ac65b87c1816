"""Payer names the bank shortened, abbreviated, or that are a subset of another customer's name."""

from __future__ import annotations

import pytest

from arbridge.domain.records import Customer
from arbridge.matching import MatchSettings
from arbridge.matching.payers import PayerIndex
from arbridge.matching.settings import PayerHints
from tests.matching.books import line

LOOKALIKES = [
    Customer(customer_id="P1", name="Prairie Mechanical Group"),
    Customer(customer_id="P2", name="Prairie Mechanical Services Inc"),
    Customer(customer_id="E1", name="Eagle Retail Group"),
    Customer(customer_id="R1", name="Redwood Prairie Wholesale LLC"),
    Customer(customer_id="R2", name="Redwood Pacific Wholesale LLC"),
    Customer(customer_id="S1", name="Sterling Roofing Co."),
    Customer(customer_id="S2", name="Sterling Golden Roofing Group"),
    Customer(customer_id="K1", name="Kingsley Steel & Sons"),
    Customer(customer_id="G1", name="Granite Medical L.L.C."),
    Customer(customer_id="C1", name="Cobalt Marketing Inc"),
    Customer(customer_id="C2", name="Cobalt Marketing Group Inc"),
    Customer(customer_id="F1", name="Falcon Products Corporation"),
    Customer(customer_id="F2", name="Falcon Products Group Inc."),
]


def _who(text: str, customers: list[Customer] = LOOKALIKES) -> str | None:
    index = PayerIndex({c.customer_id: c for c in customers}, PayerHints())
    found = index.identify(line(text, "100.00"), MatchSettings())
    return found.customer_id if found else None


@pytest.mark.parametrize(
    ("text", "customer"),
    [
        ("PRAIRIE MECHANICAL CCD", "P1"),
        ("PRAIRIE MECHANICAL ACH CREDIT", "P1"),
        ("PRAIRIE MECHANICAL PPD 1104", "P1"),
        ("EAGLE RETAIL CCD", "E1"),
        ("EAGLE RETAIL REMIT ADV", "E1"),
        ("EAGLE RETAIL WIRE PAYMENT", "E1"),
        ("REDW PRAI WHOL", "R1"),
        ("KINGSLEY STEEL CTX", "K1"),
        ("GRANITE MEDICAL LLC", "G1"),
    ],
)
def test_shortened_names_with_rail_words_are_recognised(text: str, customer: str) -> None:
    assert _who(text) == customer


def test_a_shortened_name_that_two_customers_fit_is_refused() -> None:
    """COBALT MARKETING fits Cobalt Marketing Inc, and Cobalt Marketing Group with Group dropped."""
    assert _who("COBALT MARKETING CCD") is None


def test_the_legal_form_in_the_text_tells_two_fitting_names_apart() -> None:
    assert _who("FALCON PRODUCTS CORPORATION PAYMENT") == "F1"
    # Inc is only the Group one's, which fits only with Group dropped: refused, not guessed
    assert _who("FALCON PRODUCTS INC PAYMENT") is None


def test_an_extra_distinctive_word_counts_against_the_shorter_name() -> None:
    assert _who("STERLING GOLDEN ROOFING CORP") == "S2"
    assert _who("STERLING ROOFING CO") == "S1"


def test_subset_name_alone_is_not_taken_for_a_name_with_an_extra_word() -> None:
    """Without Sterling Golden Roofing on the books, the extra word still keeps it from 100 %."""
    only_short = [c for c in LOOKALIKES if c.customer_id != "S2"]
    assert _who("STERLING GOLDEN ROOFING CORP", only_short) is None


def test_abbreviations_that_two_customers_share_are_refused() -> None:
    twins = [*LOOKALIKES, Customer(customer_id="R3", name="Redwood Prairie Wholesalers Inc")]
    assert _who("REDW PRAI WHOL", twins) is None


def test_a_name_of_one_word_and_group_is_not_recognised_by_that_one_word() -> None:
    books = [Customer(customer_id="H1", name="Sterling Holdings Inc.")]
    assert _who("STERLING GLASS CORP CCD PAYMENT", books) is None


def test_a_name_written_in_full_with_its_legal_form_beats_one_with_group_left_out() -> None:
    books = [
        Customer(customer_id="I1", name="Ironclad Electric Inc"),
        Customer(customer_id="I2", name="Ironclad Electric Group Inc"),
        Customer(customer_id="M1", name="Maple Chemicals Co"),
        Customer(customer_id="M2", name="Maple Chemicals Group Ltd"),
    ]
    assert _who("IRONCLAD ELECTRIC INC PAYMENT", books) == "I1"
    assert _who("MAPLE CHEMICALS CO ACH CREDIT", books) == "M1"
    assert _who("IRONCLAD ELECTRIC CCD", books) is None


def test_abbreviated_names_go_to_the_one_that_explains_every_word() -> None:
    books = [
        Customer(customer_id="N1", name="Northstar Furniture West Corp"),
        Customer(customer_id="N2", name="Northwind Furniture & Sons"),
        Customer(customer_id="L1", name="Liberty Chemicals Group Corp"),
    ]
    assert _who("NORT FURN WEST ACH CREDIT", books) == "N1"
    assert _who("NORT FURN ACH CREDIT", books) == "N2"  # West is a word of N1's name
    assert _who("LIBE CHEM", books) == "L1"
    twins = [*books, Customer(customer_id="N3", name="Northstar Furniture Inc")]
    assert _who("NORT FURN ACH CREDIT", twins) is None
