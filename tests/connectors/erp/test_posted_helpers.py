"""Tying an HTTP ERP's postings back to arbridge's keys: by hash, by memo, or not at all."""

from __future__ import annotations

from decimal import Decimal

from arbridge.connectors.erp._http.posted import (
    ReferenceIndex,
    bank_line_of,
    looks_own,
    over_by,
    record,
)
from arbridge.connectors.erp._http.reference import memo, reference


def _form(key: str) -> str:
    return reference(key, 21)


def test_the_bank_line_is_read_from_the_key_without_its_resolution_suffix() -> None:
    assert bank_line_of("qbo:operating:TX1") == ("operating", "TX1")
    assert bank_line_of("qbo:operating:TX1:review12.0") == ("operating", "TX1")
    assert bank_line_of("qbo:operating:TX1:review12.0:reapply:2") == ("operating", "TX1")
    assert bank_line_of("qbo:operating:TX1:reverse:1") == ("operating", "TX1")


def test_a_key_is_found_by_hash_or_from_a_memo_whose_key_checks_out() -> None:
    key, other = "qbo:operating:TX1", "qbo:operating:TX2"
    known = ReferenceIndex.of([key], _form)
    nobody = ReferenceIndex.of([], _form)

    assert known.key_of(_form(key), "rewritten by a person") == key
    assert nobody.key_of(_form(key), memo(key, "rule exact", 4000)) == key
    # a memo naming another key than the reference's is not believed
    assert nobody.key_of(_form(key), memo(other, "rule exact", 4000)) is None


def test_only_arbridge_shaped_postings_count_as_its_own() -> None:
    key = "qbo:operating:TX1"
    assert looks_own(_form(key), memo(key, "x", 100))
    assert looks_own("AB0123456789abcdef", "")
    assert not looks_own("PMT-20260115", "January rent")  # a person's reference
    assert not looks_own(_form(key), "typed by finance")


def test_an_untied_posting_is_kept_under_its_reference() -> None:
    held = record(None, "TX1-0a1b2c3d", invoice_id="INV-1", amount=Decimal("5.00"))
    assert (held.key, held.bank_account, held.bank_id) == ("TX1-0a1b2c3d", "", "TX1-0a1b2c3d")


def test_over_by_names_only_what_exceeds() -> None:
    applied = {"A": Decimal("10"), "B": Decimal("5")}
    left = {"A": Decimal("4"), "B": Decimal("5"), "C": Decimal("-2")}
    assert over_by(applied, left) == {"A": Decimal("6"), "C": Decimal("2")}
