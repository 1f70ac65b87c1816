"""The commission plan (`commissions:`), all optional: rates, tiers, overrides, the basis."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, model_validator

from arbridge.config._base import Settings

Rate = Annotated[Decimal, Field(ge=0, le=1, description='A fraction: "0.03" is 3 %.')]


class TierSettings(Settings):
    """A rate while the rep's cash collected in the period stays below `up_to`."""

    rate: Rate
    up_to: Decimal | None = Field(
        default=None, gt=0, description="Cumulative cash in the period; empty on the last tier."
    )


def _check_tiers(tiers: list[TierSettings]) -> None:
    bounds = [t.up_to for t in tiers[:-1]]
    if any(b is None for b in bounds) or tiers[-1].up_to is not None:
        raise ValueError("every tier but the last needs up_to, and the last has none")
    if bounds != sorted(bounds):  # type: ignore[type-var]  # None is ruled out just above
        raise ValueError("tiers must be listed with up_to increasing")


class RepPlanSettings(Settings):
    """A rep's own plan: a flat rate, or tiers on their cash collected in the period."""

    rate: Rate | None = None
    tiers: list[TierSettings] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_kind(self) -> RepPlanSettings:
        if (self.rate is None) == (not self.tiers):
            raise ValueError("give a rep either rate or tiers")
        if self.tiers:
            _check_tiers(self.tiers)
        return self


class CommissionSettings(Settings):
    """Commissions on cash collected (`arbridge commissions`)."""

    default_rate: Rate | None = Field(
        default=None, description="The rate of reps with no rate of their own."
    )
    reps: dict[str, Rate | RepPlanSettings] = Field(
        default_factory=dict, description='Per rep: a rate ("0.05") or {tiers: [...]}.'
    )
    tiers: list[TierSettings] = Field(
        default_factory=list,
        description="Tiers for reps with no rate of their own (before default_rate).",
    )
    customers: dict[str, Rate] = Field(
        default_factory=dict, description="A rate for cash from these customers, for any rep."
    )
    invoice_kinds: dict[str, Rate] = Field(
        default_factory=dict, description="A rate for invoices of this kind (first of all)."
    )
    approved_only: bool = Field(
        default=False, description="Leave out invoices the ERP or export marks not approved."
    )
    exclude_tax: bool = Field(
        default=False, description="Pay on cash less the invoice's tax share, pro rata."
    )
    exclude_freight: bool = Field(
        default=False, description="Pay on cash less the invoice's freight share, pro rata."
    )

    @model_validator(mode="after")
    def _tiers_in_order(self) -> CommissionSettings:
        if self.tiers:
            _check_tiers(self.tiers)
        return self
