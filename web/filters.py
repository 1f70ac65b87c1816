"""The review queue's filters, read from the query string; bad values are named, not fatal."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from arbridge.domain.review import ReviewReason, ReviewStatus
from arbridge.store.reviews import ReviewFilter

FIELDS = ("reason", "status", "customer", "assignee", "min_amount", "max_amount", "age", "q")
ACTIVE = (ReviewStatus.OPEN.value, ReviewStatus.ASSIGNED.value)
MAX_DAYS = 36_500
_MAX_AMOUNT = Decimal(10) ** 12
_MAX_TEXT = 100


def queue_filter(
    params: Mapping[str, str], now: datetime
) -> tuple[ReviewFilter, dict[str, str], list[str]]:
    """The filter, the values shown back in the form, and what could not be understood.

    `age` counts days since the bank date; `q` searches the bank text, the payer, the
    customer's name and the suggested invoice numbers, or is an exact amount.
    """
    shown = {key: params.get(key, "").strip()[:_MAX_TEXT] for key in FIELDS}
    problems: list[str] = []
    status = shown["status"]
    statuses = [status] if status in set(ReviewStatus) else list(ACTIVE)
    reason = shown["reason"] if shown["reason"] in set(ReviewReason) else None
    search, exact = _search(shown["q"])
    wanted = ReviewFilter(
        statuses=statuses,
        reason=reason,
        customer_id=shown["customer"] or None,
        assignee=shown["assignee"] or None,
        min_amount=exact if exact is not None else _amount(shown, "min_amount", problems),
        max_amount=exact if exact is not None else _amount(shown, "max_amount", problems),
        booked_before=_age(shown, now, problems),
        search=search,
    )
    return wanted, {k: v for k, v in shown.items() if v}, problems


def _search(text: str) -> tuple[str | None, Decimal | None]:
    """A text to look for, or an exact amount."""
    if not text:
        return None, None
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return text, None
    if value.is_finite() and abs(value) < _MAX_AMOUNT:
        return None, value
    return text, None


def _amount(shown: dict[str, str], key: str, problems: list[str]) -> Decimal | None:
    text = shown[key].replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if value.is_finite() and abs(value) < _MAX_AMOUNT:
        return value
    problems.append(f"{key.replace('_', ' ')}: {shown[key]!r} is not an amount")
    shown[key] = ""
    return None


def _age(shown: dict[str, str], now: datetime, problems: list[str]) -> date | None:
    text = shown["age"]
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_DAYS:
        problems.append(f"age: {text!r} is not a number of days (0 to {MAX_DAYS})")
        shown["age"] = ""
        return None
    return (now - timedelta(days=int(text))).date()
