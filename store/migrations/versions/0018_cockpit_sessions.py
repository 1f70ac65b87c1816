"""web: server-side sessions, and users that can be disabled

Revision ID: 0018_cockpit_sessions
Revises: 0017_money_ledger
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_cockpit_sessions"
down_revision = "0017_money_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(
            sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "web_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_name"], ["app_user.name"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_web_session_user_name", "web_session", ["user_name"])


def downgrade() -> None:
    op.drop_index("ix_web_session_user_name", table_name="web_session")
    op.drop_table("web_session")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("disabled")
