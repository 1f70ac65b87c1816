"""erp_payment(+_allocation): payments recorded in the ERP, their bank lines; review_item.erp_payment_ids

Revision ID: 0016_misapplied
Revises: 0015_commissions
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_misapplied"
down_revision = "0015_commissions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erp_payment",
        sa.Column("erp", sa.String(length=100), nullable=False),
        sa.Column("payment_id", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("allocations", sa.JSON(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("bank_line_id", sa.Integer(), sa.ForeignKey("bank_line.id"), nullable=True),
        sa.Column("link", sa.Text(), nullable=True),
        sa.Column("checked", sa.Boolean(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("erp", "payment_id"),
    )
    op.create_index("ix_erp_payment_line", "erp_payment", ["erp", "bank_line_id"])
    op.create_table(
        "erp_payment_allocation",
        sa.Column("erp", sa.String(length=100), nullable=False),
        sa.Column("payment_id", sa.String(length=200), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.String(length=100), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("erp", "payment_id", "seq"),
    )
    op.create_index(
        "ix_erp_payment_allocation_invoice", "erp_payment_allocation", ["erp", "invoice_id"]
    )
    with op.batch_alter_table("review_item") as batch:
        batch.add_column(
            sa.Column("erp_payment_ids", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    with op.batch_alter_table("review_item") as batch:
        batch.drop_column("erp_payment_ids")
    op.drop_index("ix_erp_payment_allocation_invoice", table_name="erp_payment_allocation")
    op.drop_table("erp_payment_allocation")
    op.drop_index("ix_erp_payment_line", table_name="erp_payment")
    op.drop_table("erp_payment")
