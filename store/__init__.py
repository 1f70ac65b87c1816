"""Persistence: SQLModel tables, repositories and Alembic migrations. Works on SQLite and PostgreSQL."""

from arbridge.store import (
    bank,
    commissions,
    corrections,
    cursors,
    erp,
    erp_payments,
    health,
    payer_links,
    postings,
    register,
    reviews,
    runs,
    settlements,
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
    "bank",
    "commissions",
    "corrections",
    "create_store_engine",
    "current_revision",
    "cursors",
    "erp",
    "erp_payments",
    "head_revision",
    "health",
    "is_up_to_date",
    "payer_links",
    "postings",
    "register",
    "reviews",
    "runs",
    "settlements",
    "tax",
    "upgrade",
    "users",
]
