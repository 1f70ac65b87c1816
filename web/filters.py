"""The review queue's filters, read from the query string; bad values are named, not fatal."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from arbridge.domain.review import ReviewReason, ReviewStatus
from arbridge.store.reviews import ReviewFilter

FIELDS = ("reason", "status", "customer", "assignee", "min_amount", "max_amount", "age")
ACTIVE = (ReviewStatus.OPEN.value, ReviewStatus.ASSIGNED.value)


def queue_filter(
    params: Mapping[str, str], now: datetime
) -> tuple[ReviewFilter, dict[str, str], list[str]]:
    """The filter, the values shown back in the form, and what could not be understood."""
    shown = {key: params.get(key, "").strip() for key in FIELDS}
    problems: list[str] = []
    status = shown["status"]
    statuses = [status] if status in set(ReviewStatus) else list(ACTIVE)
    reason = shown["reason"] if shown["reason"] in set(ReviewReason) else None
    wanted = ReviewFilter(
        statuses=statuses,
        reason=reason,
        customer_id=shown["customer"] or None,
        assignee=shown["assignee"] or None,
        min_amount=_amount(shown, "min_amount", problems),
        max_amount=_amount(shown, "max_amount", problems),
        created_before=_age(shown, now, problems),
    )
    return wanted, {k: v for k, v in shown.items() if v}, problems


def _amount(shown: dict[str, str], key: str, problems: list[str]) -> Decimal | None:
    text = shown[key].replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if value.is_finite():
        return value
    problems.append(f"{key.replace('_', ' ')}: {shown[key]!r} is not an amount")
    shown[key] = ""
    return None


def _age(shown: dict[str, str], now: datetime, problems: list[str]) -> datetime | None:
    text = shown["age"]
    if not text:
        return None
    if not text.isdigit():
        problems.append(f"age: {text!r} is not a number of days")
        shown["age"] = ""
        return None
    return now - timedelta(days=int(text))
