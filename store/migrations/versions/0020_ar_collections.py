"""ar: customers' contact details and language from the ERP; a covering index for the sums

The aging, KPI and worklist sums (store.ar_sums) group the open invoices by customer;
with the amounts and dates in the index they never read the table itself. The old
index (erp, customer_id) is a prefix of the new one, so it is dropped.

Revision ID: 0020_ar_collections
Revises: 0019_commissions_payment_returns
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_ar_collections"
down_revision = "0019_commissions_payment_returns"
branch_labels = None
depends_on = None

COLUMNS = ["erp", "customer_id", "open_amount", "due_date", "invoice_date", "amount"]


def upgrade() -> None:
    with op.batch_alter_table("erp_customer") as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=10), nullable=True))
    with op.batch_alter_table("ar_customer") as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=10), nullable=True))
    with op.batch_alter_table("erp_invoice") as batch_op:
        batch_op.create_index("ix_erp_invoice_customer_open", COLUMNS, unique=False)
        batch_op.drop_index("ix_erp_invoice_customer")


def downgrade() -> None:
    with op.batch_alter_table("erp_invoice") as batch_op:
        batch_op.create_index("ix_erp_invoice_customer", ["erp", "customer_id"], unique=False)
        batch_op.drop_index("ix_erp_invoice_customer_open")
    with op.batch_alter_table("ar_customer") as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("erp_customer") as batch_op:
        batch_op.drop_column("language")
        batch_op.drop_column("phone")
        batch_op.drop_column("email")
