"""Persistence: SQLModel tables, repositories and Alembic migrations. Works on SQLite and PostgreSQL."""

from arbridge.store import (
    audit,
    bank,
    corrections,
    cursors,
    erp,
    health,
    ledger,
    payer_links,
    postings,
    reviews,
    runs,
    tax,
    users,
)
from arbridge.store._store import Store, StoreConflictError, StoreUnavailableError
from arbridge.store.db import (
    create_store_engine,
    current_revision,
    head_revision,
    is_up_to_date,
    upgrade,
)

__all__ = [
    "Store",
    "StoreConflictError",
    "StoreUnavailableError",
    "audit",
    "bank",
    "corrections",
    "create_store_engine",
    "current_revision",
    "cursors",
    "erp",
    "head_revision",
    "health",
    "is_up_to_date",
    "ledger",
    "payer_links",
    "postings",
    "reviews",
    "runs",
    "tax",
    "upgrade",
    "users",
]
