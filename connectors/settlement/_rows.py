"""Shared checks of settlement report rows: money, dates, and payouts that add up."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from arbridge.domain.errors import BadInputError, SourceLocation
from arbridge.domain.settlements import Payout, SettlementItem

CENT = Decimal("0.01")


_PLAIN = re.compile(r"-?\d{1,15}\.\d\d")


def money(text: str, where: Callable[[], SourceLocation]) -> Decimal:
    """A report amount in major units: finite, at most two decimals (`where` is asked only on error)."""
    if _PLAIN.fullmatch(text):
        return Decimal(text)
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise BadInputError("not an amount", where()) from None
    if not value.is_finite() or value != value.quantize(CENT):
        raise BadInputError("not an amount in whole cents", where())
    return value.quantize(CENT)


def iso_day(text: str, where: SourceLocation) -> date:
    """The date part of `2026-11-03`, `2026-11-03 00:00:00` or `2026-11-03T00:00:00Z`."""
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise BadInputError("not a date (expected YYYY-MM-DD...)", where) from None


def check_net(item: SettlementItem, file: str) -> None:
    """A balance transaction's net is its gross less its fee, to the cent."""
    if item.gross - item.fee != item.net:
        where = SourceLocation(file=file, line=item.source_line, field="net", value=str(item.net))
        raise BadInputError(
            f"net is not gross {item.gross} less fee {item.fee} (balance transaction {item.item_id})",
            where,
        )


def check_unique(items: Iterable[tuple[str, SettlementItem]], file: str) -> None:
    """No balance transaction appears twice in one report (a payout reported twice)."""
    seen: dict[str, tuple[str, int | None]] = {}
    for payout_id, item in items:
        if item.item_id in seen:
            first_payout, first_line = seen[item.item_id]
            raise BadInputError(
                f"balance transaction {item.item_id} is reported twice (payout {payout_id}; "
                f"first at line {first_line} in payout {first_payout})",
                SourceLocation(file=file, line=item.source_line, field="balance_transaction_id"),
            )
        seen[item.item_id] = (payout_id, item.source_line)


def check_total(payout: Payout, total: Decimal | None, line: int | None, file: str) -> None:
    """Where the report states a payout's amount, its items must add up to it."""
    if total is not None and total != payout.net:
        raise BadInputError(
            f"payout {payout.payout_id} is {total} but its transactions add up to {payout.net}",
            SourceLocation(file=file, line=line, field="net", value=str(total)),
        )
