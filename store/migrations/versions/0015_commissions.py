"""commissions: the invoice register (reps, kinds, orders kept after payment), closed periods
and their lines, indexes for reports by booking date

Revision ID: 0015_commissions
Revises: 0014_ar
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_commissions"
down_revision = "0014_ar"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invoice_register",
        sa.Column("erp", sa.String(length=100), nullable=False),
        sa.Column("invoice_id", sa.String(length=100), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("sales_rep", sa.String(length=300), nullable=True),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("open_amount", sa.BigInteger(), nullable=False),
        sa.Column("order_ref", sa.String(length=100), nullable=True),
        sa.Column("retainage_pct", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=50), nullable=True),
        sa.Column("approved", sa.Boolean(), nullable=True),
        sa.Column("tax_amount", sa.BigInteger(), nullable=True),
        sa.Column("freight_amount", sa.BigInteger(), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("erp", "invoice_id"),
    )
    op.create_index("ix_invoice_register_order", "invoice_register", ["erp", "order_ref"])
    op.create_table(
        "commission_period",
        sa.Column("erp", sa.String(length=100), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("erp", "period"),
    )
    op.create_table(
        "commission_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("erp", sa.String(length=100), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("sales_rep", sa.String(length=100), nullable=False),
        sa.Column("invoice_id", sa.String(length=100), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("bank_id", sa.String(length=200), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("cash_amount", sa.BigInteger(), nullable=False),
        sa.Column("basis", sa.BigInteger(), nullable=False),
        sa.Column("rate", sa.String(length=30), nullable=False),
        sa.Column("commission", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_commission_line_period", "commission_line", ["erp", "period"])
    op.create_index("ix_commission_line_application_id", "commission_line", ["application_id"])
    op.create_index("ix_bank_line_booked_on", "bank_line", ["booked_on"])
    op.create_index("ix_application_created_at", "application", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_application_created_at", table_name="application")
    op.drop_index("ix_bank_line_booked_on", table_name="bank_line")
    op.drop_index("ix_commission_line_application_id", table_name="commission_line")
    op.drop_index("ix_commission_line_period", table_name="commission_line")
    op.drop_table("commission_line")
    op.drop_table("commission_period")
    op.drop_index("ix_invoice_register_order", table_name="invoice_register")
    op.drop_table("invoice_register")
