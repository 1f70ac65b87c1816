"""The auto-posting policy: when a plan the engine is sure of still goes to a person."""

from __future__ import annotations

from arbridge.domain.money import format_money
from arbridge.domain.records import BankLine
from arbridge.domain.review import ReviewReason
from arbridge.matching.plans import REVIEW_REASON, Plan
from arbridge.matching.settings import MatchSettings, PayerHints


def hold(
    plan: Plan, line: BankLine, settings: MatchSettings, hints: PayerHints
) -> tuple[ReviewReason, str] | None:
    """Why the plan must not be applied automatically, or None when it may be."""
    override = settings.customers.get(plan.customer_id)
    if override is not None and override.auto_apply is False:
        return ReviewReason.POLICY_HOLD, f"customer {plan.customer_id} is always reviewed"
    limit = settings.max_auto_amount
    if override is not None and override.max_auto_amount is not None:
        limit = override.max_auto_amount
    if limit is not None and line.amount > limit:
        text = f"amount {format_money(line.amount)} is above the auto-posting limit {format_money(limit)}"
        return ReviewReason.POLICY_HOLD, text
    minimum = settings.min_confidence
    if override is not None and override.min_confidence is not None:
        minimum = override.min_confidence
    if plan.confidence < minimum:
        reason = plan.doubt or REVIEW_REASON.get(plan.fit.kind, ReviewReason.BELOW_CONFIDENCE)
        return reason, f"confidence {plan.confidence:.2f} is below {minimum:.2f}"
    known = hints.known_payers
    if settings.review_first_time_payers and known is not None and plan.customer_id not in known:
        return ReviewReason.POLICY_HOLD, f"first payment from customer {plan.customer_id}"
    return None
