"""Alembic environment: runs migrations on the engine arbridge hands in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, text
from sqlmodel import SQLModel

import arbridge.store.settlement_tables
import arbridge.store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)

engine = context.config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("arbridge runs migrations itself: use `arbridge db upgrade`")

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        transactional_ddl=True,  # all migrations commit together or not at all (SQLite too)
    )
    if connection.dialect.name == "postgresql":  # daemons starting together migrate once
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('arbridge-migrate'))"))
    with context.begin_transaction():
        context.run_migrations()
