"""corrections: reversal applications and outbox entries that wait on another

Revision ID: 0009_corrections
Revises: 0008
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_corrections"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("application") as batch_op:
        batch_op.add_column(sa.Column("reverses_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_application_reverses_id_application", "application", ["reverses_id"], ["id"]
        )
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("after_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_outbox_after_id_outbox", "outbox", ["after_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_constraint("fk_outbox_after_id_outbox", type_="foreignkey")
        batch_op.drop_column("after_id")
    with op.batch_alter_table("application") as batch_op:
        batch_op.drop_constraint("fk_application_reverses_id_application", type_="foreignkey")
        batch_op.drop_column("reverses_id")
