"""Settlement sources and payout rules from their settings (part of the composition root)."""

from __future__ import annotations

import httpx

from arbridge.app.logs import MASKER
from arbridge.config import ArbridgeSettings
from arbridge.config.settlements import (
    SettlementSourceSettings,
    ShopifyPaymentsSettings,
    StripeApiSettings,
    StripeReportSettings,
)
from arbridge.connectors.settlement import (
    SettlementFolderSource,
    ShopifyPaymentsSource,
    StripeApiSource,
)
from arbridge.connectors.settlement_base import SettlementSource
from arbridge.scheduler import PayoutRules

PROCESSOR = {"stripe_report": "stripe", "stripe_api": "stripe", "shopify_payments": "shopify"}


def build_settlement_source(settings: SettlementSourceSettings) -> SettlementSource:
    """One settlement source from its settings."""
    if isinstance(settings, StripeReportSettings):
        return SettlementFolderSource(
            name=settings.name,
            processor="stripe",
            path=settings.path,
            descriptors=settings.descriptors,
            pattern=settings.pattern,
        )
    if isinstance(settings, StripeApiSettings):
        key = settings.api_key.resolve()
        MASKER.register(key)
        return StripeApiSource(
            name=settings.name,
            api_key=key,
            api_url=settings.api_url,
            lookback_days=settings.lookback_days,
            descriptors=settings.descriptors,
            http=httpx.Client(timeout=settings.timeout_seconds),
        )
    assert isinstance(settings, ShopifyPaymentsSettings)
    token = settings.access_token.resolve()
    MASKER.register(token)
    return ShopifyPaymentsSource(
        name=settings.name,
        access_token=token,
        api_url=settings.api_url or f"https://{settings.shop}",
        api_version=settings.api_version,
        lookback_days=settings.lookback_days,
        descriptors=settings.descriptors,
        http=httpx.Client(timeout=settings.timeout_seconds),
    )


def payout_rules(settings: ArbridgeSettings) -> PayoutRules | None:
    """How processor deposits are decided, or None when no settlement source is configured.

    Only the csv ERP takes one application that pays several customers' invoices; with
    an API ERP (one customer per payment) a placed payout goes to review with each
    charge's invoice as a suggestion, and nothing of it is posted automatically.
    """
    sources = settings.connectors.settlements
    if not sources:
        return None
    descriptors: dict[str, tuple[str, ...]] = {}
    for s in sources:
        processor = PROCESSOR[s.kind]
        descriptors[processor] = tuple(
            dict.fromkeys((*descriptors.get(processor, ()), *s.descriptors))
        )
    return PayoutRules(
        descriptors=descriptors,
        wait_days=settings.payouts.wait_days,
        multi_customer=settings.connectors.erp.kind == "csv",
    )
