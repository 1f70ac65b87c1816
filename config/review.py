"""Settings of the review queue's resolutions: how much a clerk may write off, and why."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, field_validator

from arbridge.config._base import Settings as _Settings

_MAX_CODE = 50
DEFAULT_REASON_CODES = (
    "short_payment",
    "bank_fee",
    "pricing_dispute",
    "damaged_goods",
    "small_balance",
)


class ReviewSettings(_Settings):
    """Limits on what a review resolution may do (only an admin edits this file)."""

    write_off_limit: Decimal = Field(
        default=Decimal("0.00"),
        ge=0,
        decimal_places=2,
        description="Largest short payment a clerk may write off per invoice; 0 turns write-offs off.",
    )
    write_off_reasons: tuple[str, ...] = Field(
        default=DEFAULT_REASON_CODES,
        min_length=1,
        description="Deduction reason codes a write-off must name (sent to the ERP with it).",
    )

    @field_validator("write_off_reasons")
    @classmethod
    def _codes_are_words(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        bad = [c for c in codes if not c.strip() or len(c) > _MAX_CODE]
        if bad:
            raise ValueError(f"reason codes must be 1-50 characters: {bad!r}")
        return codes
