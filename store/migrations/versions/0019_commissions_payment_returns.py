"""commissions: returned payments (NSF, returned items) whose commission is clawed back

Revision ID: 0019_commissions_payment_returns
Revises: 0018_cockpit_sessions
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0019_commissions_payment_returns"
down_revision = "0018_cockpit_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_return",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("erp", sa.String(length=100), nullable=False),
        sa.Column("bank_line_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"]),
        sa.ForeignKeyConstraint(["bank_line_id"], ["bank_line.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("bank_line_id"),
    )
    op.create_index(
        op.f("ix_payment_return_application_id"), "payment_return", ["application_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_payment_return_application_id"), table_name="payment_return")
    op.drop_table("payment_return")
