"""Rare words weigh more: payer names scored by how distinctive each word is in the customer list."""

from __future__ import annotations

import pytest

from arbridge.domain.records import Customer
from arbridge.matching import MatchSettings
from arbridge.matching.name_score import name_of, score
from arbridge.matching.names import text_words
from arbridge.matching.payers import PayerIndex
from arbridge.matching.rarity import FLOOR, Rarity
from arbridge.matching.settings import PayerHints
from tests.matching.books import line

SUPPLIERS = [
    Customer(customer_id="H1", name="Harbor Supply Inc"),
    Customer(customer_id="H2", name="Harbor Marine Supply LLC"),
    Customer(customer_id="S1", name="Summit Supply Co"),
    Customer(customer_id="G1", name="Granite Industrial Supply Corp"),
    Customer(customer_id="T1", name="Stonegate Industrial Supply Inc"),
    Customer(customer_id="J1", name="Jay Manufacturing Technologies Inc"),
    Customer(customer_id="A1", name="Apex Manufacturing Technologies"),
    Customer(customer_id="B1", name="Beacon Manufacturing Services"),
    Customer(customer_id="R1", name="Sterling Roofing Co."),
    Customer(customer_id="R2", name="Sterling Golden Roofing Group"),
    Customer(customer_id="P1", name="Prairie Mechanical Group"),
    Customer(customer_id="W1", name="Willow Industrial Services"),
]


def _who(text: str, customers: list[Customer] = SUPPLIERS) -> str | None:
    index = PayerIndex({c.customer_id: c for c in customers}, PayerHints())
    found = index.identify(line(text, "100.00"), MatchSettings())
    return found.customer_id if found else None


def test_a_word_many_names_hold_weighs_less_than_one_only_one_holds() -> None:
    rarity = Rarity(name_of(c).words for c in SUPPLIERS)
    assert rarity.of("SUPPLY") < rarity.of("INDUSTRIAL") < rarity.of("STONEGATE") == 1.0
    assert rarity.of("SUPPLY") >= FLOOR
    assert rarity.of("LOCKBOX") == 1.0
    assert not rarity.known("LOCKBOX")


def test_one_customer_list_makes_every_word_weigh_the_same() -> None:
    rarity = Rarity([("SUPPLY", "HARBOR")])
    assert rarity.of("SUPPLY") == rarity.of("HARBOR") == 1.0


@pytest.mark.parametrize(
    ("text", "customer"),
    [
        ("HARBOR SUPPLY CCD", "H1"),
        ("HARBOR MARINE SUPPLY ACH CREDIT", "H2"),
        ("SUMMIT SUPPLY PPD", "S1"),
        ("GRANITE IND SUPP", "G1"),
        ("STONEGATE INDUSTRIAL SUPPLY WIRE", "T1"),
        ("STERLING GOLDEN ROOFING CORP", "R2"),
        ("STERLING ROOFING CO", "R1"),
        ("PRAIRIE MECHANICAL CCD", "P1"),
    ],
)
def test_look_alike_supply_customers_are_told_apart(text: str, customer: str) -> None:
    assert _who(text) == customer


def test_the_distinctive_word_must_match_not_only_the_common_ones() -> None:
    """KAY is not Jay: two long common words matching do not make up for it."""
    assert _who("KAY MANUFACTURING TECHNOLOGIES") is None
    assert _who("JAY MANUFACTURING TECHNOLOGIES") == "J1"
    names = {c.customer_id: name_of(c) for c in SUPPLIERS}
    words = text_words("KAY MANUFACTURING TECHNOLOGIES")
    rarity = Rarity(n.words for n in names.values())
    assert score(names["J1"], words, rarity)[1] < score(names["J1"], words)[1]


def test_a_common_word_the_bank_left_out_counts_little() -> None:
    """Stonegate is the only Stonegate; Supply, which a third of the list holds, may be dropped."""
    assert _who("STONEGATE INDUSTRIAL ACH CREDIT") == "T1"


def test_a_common_word_left_out_is_still_refused_when_two_names_then_fit() -> None:
    twins = [*SUPPLIERS, Customer(customer_id="T2", name="Stonegate Industrial Services LLC")]
    assert _who("STONEGATE INDUSTRIAL ACH CREDIT", twins) is None
    assert _who("STONEGATE INDUSTRIAL SVCS", twins) == "T2"


def test_one_rare_word_alone_does_not_name_a_customer() -> None:
    assert _who("STONEGATE PAYMENT") is None
    assert _who("HARBOR CCD") is None


def test_an_extra_distinctive_word_anywhere_counts_against_the_shorter_name() -> None:
    """Golden is a word of the customer list: before, between or after, it is not Sterling Roofing."""
    only_short = [
        *(c for c in SUPPLIERS if c.customer_id != "R2"),
        Customer(customer_id="F1", name="Golden Harvest Foods"),
    ]
    assert _who("STERLING GOLDEN ROOFING", only_short) is None
    assert _who("GOLDEN STERLING ROOFING", only_short) is None
    assert _who("STERLING ROOFING GOLDEN", only_short) is None
    assert _who("STERLING ROOFING CO", only_short) == "R1"


def test_a_word_no_customer_name_holds_beside_the_name_is_not_weighed() -> None:
    assert _who("STERLING ROOFING DALLAS TX") == "R1"
    assert _who("ORIG CO NAME STERLING ROOFING") == "R1"


def test_a_text_two_names_explain_in_part_is_refused() -> None:
    """SUMMIT ELECTRIC SUPPLY: Summit Supply with Electric between, or Summit Electric and Supply."""
    books = [*SUPPLIERS, Customer(customer_id="E1", name="Summit Electric Inc")]
    assert _who("SUMMIT ELECTRIC SUPPLY", books) is None
    assert _who("SUMMIT ELECTRIC CCD", books) == "E1"


def test_an_abbreviation_two_names_share_is_refused_however_rare_their_words() -> None:
    """NORT fits Northwind and Northstar alike; Northstar being in more names does not decide."""
    books = [
        Customer(customer_id="N1", name="Northwind Manufacturing Group & Sons"),
        Customer(customer_id="N2", name="Northstar Manufacturing Group & Sons"),
        Customer(customer_id="N3", name="Northstar Foods Inc"),
        Customer(customer_id="N4", name="Northstar Paper LLC"),
    ]
    assert _who("NORT MANU ACH CREDIT", books) is None


def test_group_left_out_still_beats_a_name_missing_a_word_of_its_own() -> None:
    books = [
        Customer(customer_id="M1", name="Magnolia Logistics Group Corporation"),
        Customer(customer_id="M2", name="Magnolia Logistics North Corporation"),
        Customer(customer_id="M3", name="Harbor Foods North Inc"),
        Customer(customer_id="M4", name="Cedar Logistics Group Inc"),
    ]
    assert _who("MAGNOLIA LOGISTICS ACH CREDIT", books) == "M1"


def test_a_common_word_inside_the_name_still_keeps_it_from_the_shorter_name() -> None:
    """Supply is in a third of the names, yet STERLING SUPPLY ROOFING is a name of its own."""
    assert _who("STERLING SUPPLY ROOFING ACH CREDIT") is None


def test_a_word_beside_one_matched_word_counts_against_the_name() -> None:
    """Meadowbrook Holdings (Holdings may be left out) is not MEADOWBROOK CHEMICALS."""
    books = [
        Customer(customer_id="M1", name="Meadowbrook Holdings Company Corporation"),
        Customer(customer_id="M2", name="Harbor Chemicals Inc"),
    ]
    assert _who("MEADOWBROOK CHEMICALS CMPNY LLC", books) is None
    assert _who("MEADOWBROOK HOLDINGS CO", books) == "M1"


def test_an_abbreviated_or_cut_off_list_word_beside_the_name_counts_against_it() -> None:
    books = [
        Customer(customer_id="I1", name="Ironclad Distribution Inc."),
        Customer(customer_id="R1", name="Riverbend Construction West Co"),
        Customer(customer_id="X1", name="Crescent International Ltd"),
    ]
    assert _who("IRONCLAD DIST INTL & SONS", books) is None
    assert _who("RIVERBEND CONSTRUCTION INTERNATIONA", books) is None
    assert _who("IRONCLAD DIST CCD", books) == "I1"


def test_two_words_with_one_consonant_skeleton_are_not_one_word() -> None:
    """FURNITURE and FRONTIER share F-R-N-T-R; only a word with its vowels dropped is read so."""
    books = [
        Customer(customer_id="F1", name="Frontier Holdings of America Inc."),
        Customer(customer_id="L1", name="Lighthouse Furniture Corporation"),
    ]
    assert _who("LGHTHS FURNITURE OF AMERICA L.L.C", books) is None
    assert _who("FRNTR HOLDINGS OF AMERICA", books) == "F1"
