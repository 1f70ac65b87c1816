"""ERP gateways: one module per ERP, plus the csv and in-memory ones.

The HTTP ERPs live in subpackages (`business_central`, `acumatica`, `quickbooks`)
imported by the composition root directly.
"""

from arbridge.connectors.erp.csv_erp import CsvErpGateway
from arbridge.connectors.erp.memory import InMemoryErpGateway

__all__ = ["CsvErpGateway", "InMemoryErpGateway"]
