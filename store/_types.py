"""Column types that keep money exact and times aware on every database."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect
from sqlalchemy.types import TypeDecorator

_CENT = Decimal("0.01")
MONEY_SCALE = 10_000  # four decimal places: cents plus room for three-decimal currencies


class Money(TypeDecorator[Decimal]):
    """Decimal stored as a scaled integer: exact, sortable and summable everywhere.

    SQLite has no decimal type (SQLAlchemy would round-trip through float), so
    the value is kept as an integer number of 1/10,000ths.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"money must be Decimal, got {type(value).__name__}")
        scaled = value * MONEY_SCALE
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than 4 decimal places")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        exact = Decimal(int(value)).scaleb(-4)
        cents = exact.quantize(_CENT)
        return cents if cents == exact else exact


class AwareDateTime(TypeDecorator[datetime]):
    """A UTC timestamp; refuses naive datetimes and always returns aware ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: arbridge stores aware times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
