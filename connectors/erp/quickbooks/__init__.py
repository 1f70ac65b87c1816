"""QuickBooks Online (Accounting API v3) as an ERP gateway."""

from arbridge.connectors.erp.quickbooks.gateway import QuickBooksErpGateway, build
from arbridge.connectors.erp.quickbooks.wire import map_error

__all__ = ["QuickBooksErpGateway", "build", "map_error"]
