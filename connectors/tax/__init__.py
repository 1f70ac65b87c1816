"""Tax systems: AvaTax REST v2, and one held in memory."""

from connectors.tax.avatax import AvaTaxSystem
from connectors.tax.memory import InMemoryTaxSystem

__all__ = ["AvaTaxSystem", "InMemoryTaxSystem"]
