"""Settings of settlement sources (processor payouts) and of how their deposits are decided."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from arbridge.config._base import ResolvedPath
from arbridge.config._base import Settings as _Settings
from arbridge.config.secrets import SecretField

_NAME = r"^[A-Za-z0-9_.-]+$"
_DESCRIPTORS = "Words in a bank line's text that mark this processor's deposits."


class StripeReportSettings(_Settings):
    """A folder of Stripe "Payout reconciliation, itemized" CSV reports."""

    kind: Literal["stripe_report"]
    name: str = Field(pattern=_NAME)
    path: ResolvedPath
    pattern: str = Field(default="*.csv", description="Glob of report files in the folder.")
    descriptors: tuple[str, ...] = Field(
        default=("STRIPE",), min_length=1, description=_DESCRIPTORS
    )


class StripeApiSettings(_Settings):
    """Stripe's API: payouts, and the balance transactions of each."""

    kind: Literal["stripe_api"]
    name: str = Field(pattern=_NAME)
    api_key: SecretField = Field(description="A restricted key (read on payouts and balance).")
    api_url: str = Field(default="https://api.stripe.com", pattern=r"^https?://")
    lookback_days: int = Field(default=35, ge=1, le=400, description="Payouts arriving since.")
    descriptors: tuple[str, ...] = Field(
        default=("STRIPE",), min_length=1, description=_DESCRIPTORS
    )
    timeout_seconds: float = Field(default=60.0, gt=0, le=600)


class ShopifyPaymentsSettings(_Settings):
    """Shopify Payments payouts and balance transactions (Admin REST API)."""

    kind: Literal["shopify_payments"]
    name: str = Field(pattern=_NAME)
    shop: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$", description="shop.myshopify.com"
    )
    access_token: SecretField
    api_url: str | None = Field(
        default=None, pattern=r"^https?://", description="Default https://SHOP."
    )
    api_version: str = Field(default="2025-01", pattern=r"^\d{4}-\d{2}$")
    lookback_days: int = Field(default=35, ge=1, le=400)
    descriptors: tuple[str, ...] = Field(
        default=("SHOPIFY",), min_length=1, description=_DESCRIPTORS
    )
    timeout_seconds: float = Field(default=60.0, gt=0, le=600)


SettlementSourceSettings = Annotated[
    StripeReportSettings | StripeApiSettings | ShopifyPaymentsSettings, Field(discriminator="kind")
]


class PayoutSettings(_Settings):
    """How processor deposits are decided."""

    wait_days: int = Field(
        default=5,
        ge=1,
        le=60,
        description="Days a processor deposit waits for its payout report (and a payout for its "
        "deposit) before it goes to review.",
    )
