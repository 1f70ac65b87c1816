"""Checks of what a browser sends: ids, page numbers, amounts and split rows.

Anything out of range is refused with a 4xx naming the field, never passed on to the
store where it would overflow a column (and answer 500).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import HTTPException, Path, Query

from arbridge.review import ReviewStateError

MAX_ID = 2**31 - 1  # an integer column on every database
MAX_PAGE = 100_000
MAX_AMOUNT = Decimal(10) ** 12  # a trillion: far above any bank line, far below the columns
_CENT = Decimal("0.01")

ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="a review item's number")]
PageNo = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Position = Annotated[int | None, Query(ge=0, le=MAX_ID, description="an item number to page from")]


def amount(text: str, what: str) -> Decimal:
    """A finite amount in cents below a trillion.

    Raises:
        ReviewStateError: anything else, naming `what`.
    """
    cleaned = text.strip().replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ReviewStateError(f"{what}: {text[:40]!r} is not an amount") from None
    if not value.is_finite() or abs(value) >= MAX_AMOUNT:
        raise ReviewStateError(f"{what}: {text[:40]!r} is not an amount")
    if value != value.quantize(_CENT):
        raise ReviewStateError(f"{what}: {text[:40]!r} has more than two decimals")
    return value


def allocations(
    invoices: list[str],
    amounts: list[str],
    picked: tuple[list[str], list[str]] = ([], []),
) -> list[tuple[str, Decimal]]:
    """The split form's rows that name an invoice, as (invoice, amount).

    `picked` are the candidate rows (invoice, amount typed or filled by a tick): those
    without an amount are skipped. Of the free rows, one with neither is skipped; an
    invoice without an amount (or the other way round) is refused, naming the row.

    Raises:
        ReviewStateError: rows that do not pair up, or an amount that is not one.
    """
    if len(invoices) != len(amounts):
        raise ReviewStateError(
            f"{len(invoices)} invoices but {len(amounts)} amounts: give one amount per invoice"
        )
    if len(picked[0]) != len(picked[1]):
        raise ReviewStateError("the candidate rows do not pair up: reload the page")
    chosen = [
        (invoice.strip()[:100], amount(text, f"invoice {invoice.strip()[:40]}"))
        for invoice, text in zip(*picked, strict=True)
        if text.strip() and invoice.strip()
    ]
    for row, (typed, text) in enumerate(zip(invoices, amounts, strict=True), start=1):
        invoice = typed.strip()
        if not invoice and not text.strip():
            continue
        if not invoice:
            raise ReviewStateError(f"row {row}: the amount {text[:40]!r} names no invoice")
        if not text.strip():
            raise ReviewStateError(f"row {row}: give an amount for invoice {invoice[:40]}")
        chosen.append((invoice[:100], amount(text, f"invoice {invoice[:40]}")))
    if not chosen:
        raise ReviewStateError("tick or type at least one invoice and its amount")
    return chosen


def item_ids(texts: list[str]) -> list[int]:
    """Item numbers from a bulk form.

    Raises:
        HTTPException: 422 for one that is not a number in range.
    """
    ids = []
    for text in texts:
        digits = text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID))
        if not digits or not 1 <= int(text) <= MAX_ID:
            raise HTTPException(422, f"item {text[:20]!r} is not an item number")
        ids.append(int(text))
    return ids
