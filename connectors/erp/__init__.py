"""ERP gateways: one module per ERP, plus the csv and in-memory ones."""

from connectors.erp.csv_erp import CsvErpGateway
from connectors.erp.memory import InMemoryErpGateway

__all__ = ["CsvErpGateway", "InMemoryErpGateway"]
