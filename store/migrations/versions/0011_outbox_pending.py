"""partial index of the pending outbox entries by id: a claim reads only those

Without it PostgreSQL claims by walking the primary key past every entry already
sent, so each claim costs more as the outbox grows (quadratic over a backlog).

Revision ID: 0011_outbox_pending
Revises: 0010
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_outbox_pending"
down_revision = "0010"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.create_index(
        "ix_outbox_pending", "outbox", ["id"], postgresql_where=PENDING, sqlite_where=PENDING
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_pending", table_name="outbox")
