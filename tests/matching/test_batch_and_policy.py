"""Batches (earlier lines count as paid), learned payer links and the auto-posting policy."""

from __future__ import annotations

from decimal import Decimal

from arbridge.domain.records import ProposalOutcome
from arbridge.domain.review import ReviewReason
from arbridge.matching import CustomerPolicy, MatchSettings, PayerHints, match_lines
from tests.matching.books import context, line


def test_second_payment_in_the_same_batch_is_flagged_as_duplicate() -> None:
    first = line("ACME INDUSTRIAL SUPPLY INV-0043", "250.00", bank_id="TX1")
    second = line("ACME INDUSTRIAL SUPPLY INV-0043", "250.00", bank_id="TX2")

    proposals = {p.line.bank_id: p for p in match_lines([second, first], context())}

    assert proposals["TX1"].outcome is ProposalOutcome.APPLY
    assert proposals["TX2"].reason is ReviewReason.DUPLICATE_PAYMENT


def test_named_lines_are_decided_before_amount_only_lines() -> None:
    """An amount-only line must not take the invoice a later line names."""
    amount_only = line("DELTA HARBOR LOGISTICS", "1234.56", bank_id="TX1")
    named = line("DELTA HARBOR LOGISTICS INV-3003", "1234.56", bank_id="TX2")

    proposals = {p.line.bank_id: p for p in match_lines([amount_only, named], context())}

    assert proposals["TX2"].outcome is ProposalOutcome.APPLY
    assert proposals["TX1"].outcome is ProposalOutcome.REVIEW


def test_debits_are_ignored() -> None:
    [proposal] = match_lines([line("MONTHLY SERVICE FEE", "-25.00")], context())
    assert proposal.outcome is ProposalOutcome.IGNORE


def test_learned_bank_account_identifies_the_payer() -> None:
    hints = PayerHints(accounts={"DE89 3704 0044": "C400"})
    paid = line("SEPA CREDIT", "1234.56", payer_account="DE8937040044")

    [proposal] = match_lines([paid], context(hints=hints))

    assert proposal.outcome is ProposalOutcome.APPLY
    assert "bank account DE8937040044 linked before" in proposal.explanation


def test_learned_alias_identifies_the_payer() -> None:
    hints = PayerHints(aliases={"DHL Co-op Treasury": "C400"})

    [proposal] = match_lines([line("DHL CO OP TREASURY", "1234.56")], context(hints=hints))

    assert proposal.outcome is ProposalOutcome.APPLY
    assert proposal.customer_id == "C400"
    assert "alias 'DHL Co-op Treasury' learned before" in proposal.explanation


def test_amount_above_the_limit_is_held_with_the_plan_as_suggestion() -> None:
    settings = MatchSettings(max_auto_amount=Decimal("999.99"))

    [proposal] = match_lines(
        [line("ACME INDUSTRIAL SUPPLY INV-0042", "1000.00")], context(), settings
    )

    assert proposal.reason is ReviewReason.POLICY_HOLD
    assert "above the auto-posting limit 999.99" in proposal.explanation
    assert proposal.suggestions[0].invoice_ids == ("INV-0042",)


def test_customer_override_beats_the_general_limit() -> None:
    settings = MatchSettings(
        max_auto_amount=Decimal("10.00"),
        customers={"C100": CustomerPolicy(max_auto_amount=Decimal("5000.00"))},
    )
    [proposal] = match_lines(
        [line("ACME INDUSTRIAL SUPPLY INV-0042", "1000.00")], context(), settings
    )
    assert proposal.outcome is ProposalOutcome.APPLY


def test_customer_set_to_manual_is_always_reviewed() -> None:
    settings = MatchSettings(customers={"C100": CustomerPolicy(auto_apply=False)})
    [proposal] = match_lines(
        [line("ACME INDUSTRIAL SUPPLY INV-0042", "1000.00")], context(), settings
    )
    assert proposal.reason is ReviewReason.POLICY_HOLD
    assert "customer C100 is always reviewed" in proposal.explanation


def test_first_time_payer_is_held_when_history_is_known() -> None:
    settings = MatchSettings(review_first_time_payers=True)
    hints = PayerHints(known_payers=frozenset({"C400"}))
    lines = [
        line("ACME INDUSTRIAL SUPPLY INV-0042", "1000.00", bank_id="TX1"),
        line("DELTA HARBOR LOGISTICS INV-3003", "1234.56", bank_id="TX2"),
    ]

    proposals = {p.line.bank_id: p for p in match_lines(lines, context(hints=hints), settings)}

    assert proposals["TX1"].reason is ReviewReason.POLICY_HOLD
    assert "first payment from customer C100" in proposals["TX1"].explanation
    assert proposals["TX2"].outcome is ProposalOutcome.APPLY


def test_low_confidence_goes_to_review() -> None:
    settings = MatchSettings(min_confidence=0.99)
    [proposal] = match_lines(
        [line("DELTA HARBOR LOGISTICS INV 3030", "1234.56")], context(), settings
    )
    assert proposal.outcome is ProposalOutcome.REVIEW
    assert "confidence 0.88 is below 0.99" in proposal.explanation


def test_partial_payments_can_be_sent_to_review() -> None:
    settings = MatchSettings(apply_partial_payments=False)
    [proposal] = match_lines(
        [line("ACME INDUSTRIAL SUPPLY INV-0044", "400.00")], context(), settings
    )
    assert proposal.reason is ReviewReason.SHORT_PAYMENT
