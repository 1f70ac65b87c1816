"""Settlement sources: processor payouts and their balance transactions (Stripe, PayPal)."""

from arbridge.connectors.settlement.shopify_api import ShopifyPaymentsSource
from arbridge.connectors.settlement.sources import SettlementFolderSource
from arbridge.connectors.settlement.stripe_api import StripeApiSource
from arbridge.connectors.settlement.stripe_report import read_stripe_report

__all__ = [
    "SettlementFolderSource",
    "ShopifyPaymentsSource",
    "StripeApiSource",
    "read_stripe_report",
]
