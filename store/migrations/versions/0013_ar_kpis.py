"""ar: daily KPI snapshots and guardrail states

Revision ID: 0013_ar_kpis
Revises: 0012_run_seconds
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_ar_kpis"
down_revision = "0012_run_seconds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ar_kpi_day",
        sa.Column("erp", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("open_total", sa.BigInteger(), nullable=False),
        sa.Column("past_due_total", sa.BigInteger(), nullable=False),
        sa.Column("past_due_over_20_days_total", sa.BigInteger(), nullable=False),
        sa.Column("invoices_open", sa.Integer(), nullable=False),
        sa.Column("invoices_over_90_days", sa.Integer(), nullable=False),
        sa.Column("buckets", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("erp", "day"),
    )
    op.create_table(
        "ar_guardrail",
        sa.Column("erp", sa.String(length=100), nullable=False),
        sa.Column("kpi", sa.String(length=60), nullable=False),
        sa.Column("breached", sa.Boolean(), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=40), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("erp", "kpi"),
    )


def downgrade() -> None:
    op.drop_table("ar_guardrail")
    op.drop_table("ar_kpi_day")
