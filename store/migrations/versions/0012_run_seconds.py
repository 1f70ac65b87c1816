"""run: seconds spent per phase of the cycle

Revision ID: 0012_run_seconds
Revises: 0011_outbox_pending
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_run_seconds"
down_revision = "0011_outbox_pending"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("run") as batch:
        batch.add_column(sa.Column("seconds", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("run") as batch:
        batch.drop_column("seconds")
