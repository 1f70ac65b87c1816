"""Tax systems: AvaTax REST v2, and one held in memory."""

from arbridge.connectors.tax.avatax import AvaTaxSystem
from arbridge.connectors.tax.memory import InMemoryTaxSystem

__all__ = ["AvaTaxSystem", "InMemoryTaxSystem"]
