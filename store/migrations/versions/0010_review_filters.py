"""review queue filters (customer, assignee) and admin-set limits

Revision ID: 0010
Revises: 0009_corrections
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009_corrections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_review_item_status_customer", "review_item", ["status", "customer_id"])
    op.create_index("ix_review_item_status_assignee", "review_item", ["status", "assignee"])
    op.create_table(
        "app_setting",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("app_setting")
    op.drop_index("ix_review_item_status_assignee", table_name="review_item")
    op.drop_index("ix_review_item_status_customer", table_name="review_item")
