"""Collections and AR health: aging, KPIs, guardrails and the collections worklist.

Pure computations over open items and stored facts: no I/O, no store. The CLI and the
cycle load the records (arbridge.store.ar) and hand them in.
"""

from arbridge.receivables.aging import (
    DEFAULT_BOUNDS,
    AgingReport,
    AgingRow,
    Basis,
    Buckets,
    OpenItem,
    age_items,
)
from arbridge.receivables.kpis import Kpis, PeriodFacts, compute_kpis

__all__ = [
    "DEFAULT_BOUNDS",
    "AgingReport",
    "AgingRow",
    "Basis",
    "Buckets",
    "Kpis",
    "OpenItem",
    "PeriodFacts",
    "age_items",
    "compute_kpis",
]
