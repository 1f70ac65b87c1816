"""QuickBooks Online (Accounting API v3) as an ERP gateway."""

from connectors.erp.quickbooks.gateway import QuickBooksErpGateway, build
from connectors.erp.quickbooks.wire import map_error

__all__ = ["QuickBooksErpGateway", "build", "map_error"]
