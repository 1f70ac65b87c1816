"""QuickBooks Online (Accounting API v3) as an ERP gateway."""

from arbridge.connectors.erp.quickbooks.gateway import (
    API_HOST,
    BATCH_WINDOW,
    SANDBOX_HOST,
    QuickBooksErpGateway,
    build,
)
from arbridge.connectors.erp.quickbooks.wire import map_error

__all__ = ["API_HOST", "BATCH_WINDOW", "SANDBOX_HOST", "QuickBooksErpGateway", "build", "map_error"]
