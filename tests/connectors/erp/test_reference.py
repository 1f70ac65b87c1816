"""The searchable reference: bank transaction id first, a hash of the whole key last."""

from __future__ import annotations

import pytest

from arbridge.connectors.erp._http.reference import legacy_reference, memo, reference, shorten


def test_the_bank_transaction_id_leads_and_the_key_hash_follows() -> None:
    ref = reference("books:operating:TX-2026-001", 35)
    assert ref.startswith("TX-2026-001-")
    assert len(ref) == len("TX-2026-001") + 9


def test_a_long_id_keeps_its_last_characters_and_stays_within_the_field() -> None:
    key = "qbo:operating:20261102000000123456789"
    ref = reference(key, 21)
    assert len(ref) == 21
    assert ref.startswith("000123456789-")


def test_two_accounts_with_the_same_bank_id_get_different_references() -> None:
    assert reference("q:checking:TX1", 21) != reference("q:savings:TX1", 21)


def test_unsafe_characters_are_replaced_and_a_review_suffix_is_kept() -> None:
    assert reference("b:op:TX 1:review4.0", 35).startswith("TX.1.review4.0-")


def test_legacy_form_and_field_too_short() -> None:
    assert legacy_reference("b:op:TX1", 20).startswith("AB")
    assert len(legacy_reference("b:op:TX1", 20)) == 20
    with pytest.raises(ValueError, match="more than 9"):
        reference("b:op:TX1", 9)


def test_memos_are_cut_between_words() -> None:
    assert memo("bank-x:operating:TX1", "alpha beta gamma delta", 25) == "bank TX1: alpha beta…"
    # the key stays whole when it takes at most half the field: the evidence is cut instead
    assert (
        memo("b:op:TX1", "alpha beta gamma delta", 40) == "bank TX1: alpha beta gamma… [b:op:TX1]"
    )
    assert memo("b:op:TX1", "alpha", 100) == "bank TX1: alpha [b:op:TX1]"
    assert shorten("aaaa bbbb cccc", 10) == "aaaa bbbb…"
