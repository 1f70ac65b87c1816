"""ar: daily KPI snapshots, guardrail states, and the collections records

Revision ID: 0014_ar
Revises: 0013_payouts
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_ar"
down_revision = "0013_payouts"
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


    _collections()


def _collections() -> None:
    op.create_table(
        "ar_customer",
        sa.Column("erp", sa.String(length=100), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("contact_email", sa.String(length=300), nullable=True),
        sa.Column("contact_phone", sa.String(length=60), nullable=True),
        sa.Column("collector", sa.String(length=100), nullable=True),
        sa.Column("next_action_on", sa.Date(), nullable=True),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("erp", "customer_id"),
    )
    op.create_table(
        "ar_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("erp", sa.String(length=100), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ar_note_customer", "ar_note", ["erp", "customer_id"])
    op.create_table(
        "ar_promise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("erp", sa.String(length=100), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("plan", sa.String(length=60), nullable=True),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ar_promise_customer", "ar_promise", ["erp", "customer_id"])
    op.create_table(
        "ar_dispute",
        sa.Column("erp", sa.String(length=100), nullable=False),
        sa.Column("invoice_id", sa.String(length=100), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=100), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("erp", "invoice_id"),
    )


    op.create_table(
        "ar_email",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("erp", sa.String(length=100), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("recipient", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("message_id", sa.String(length=300), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("erp", "key", name="uq_ar_email_key"),
    )
    op.create_index("ix_ar_email_customer", "ar_email", ["erp", "customer_id"])


def downgrade() -> None:
    for table in ("ar_email", "ar_dispute", "ar_promise", "ar_note", "ar_customer"):
        op.drop_table(table)
    op.drop_table("ar_guardrail")
    op.drop_table("ar_kpi_day")
