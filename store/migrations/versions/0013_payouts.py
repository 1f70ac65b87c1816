"""settlements: report batches, processor payouts and their balance transactions

Revision ID: 0013_payouts
Revises: 0012_run_seconds
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_payouts"
down_revision = "0012_run_seconds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settlement_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("fingerprint", sa.String(length=200), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("payout_count", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "fingerprint", name="uq_settlement_batch_source_fingerprint"),
    )
    op.create_table(
        "payout",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("processor", sa.String(length=50), nullable=False),
        sa.Column("payout_id", sa.String(length=200), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
        sa.Column("trace_id", sa.String(length=200), nullable=True),
        sa.Column("source_file", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("bank_line_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deposited_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["bank_line_id"], ["bank_line.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("processor", "payout_id", name="uq_payout_processor_payout_id"),
    )
    op.create_index("ix_payout_status", "payout", ["status"])
    op.create_table(
        "settlement_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payout_row_id", sa.Integer(), nullable=False),
        sa.Column("processor", sa.String(length=50), nullable=False),
        sa.Column("item_id", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("gross", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reference", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("customer_name", sa.String(length=300), nullable=False),
        sa.Column("customer_email", sa.String(length=300), nullable=False),
        sa.Column("charge_id", sa.String(length=200), nullable=False),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["payout_row_id"], ["payout.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("processor", "item_id", name="uq_settlement_item_processor_item_id"),
    )
    op.create_index("ix_settlement_item_payout", "settlement_item", ["payout_row_id"])


def downgrade() -> None:
    op.drop_index("ix_settlement_item_payout", table_name="settlement_item")
    op.drop_table("settlement_item")
    op.drop_index("ix_payout_status", table_name="payout")
    op.drop_table("payout")
    op.drop_table("settlement_batch")
