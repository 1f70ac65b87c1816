"""ERP gateways: one module per ERP, plus the csv and in-memory ones.

The HTTP ERPs live in subpackages (`business_central`, `acumatica`, `quickbooks`)
imported by the composition root directly.
"""

from arbridge.connectors.erp.csv_erp import CsvErpGateway
from arbridge.connectors.erp.csv_payments import CsvPaymentReader
from arbridge.connectors.erp.memory import InMemoryErpGateway
from arbridge.connectors.erp.memory_payments import InMemoryPaymentReader

__all__ = ["CsvErpGateway", "CsvPaymentReader", "InMemoryErpGateway", "InMemoryPaymentReader"]
