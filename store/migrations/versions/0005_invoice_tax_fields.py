"""invoice tax fields in the ERP snapshot (kept for tax checks between pulls)

Revision ID: 0005
Revises: 0004_tax_records
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004_tax_records"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("erp_invoice") as batch_op:
        batch_op.add_column(sa.Column("tax_amount", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("ship_to_region", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("erp_invoice") as batch_op:
        batch_op.drop_column("ship_to_region")
        batch_op.drop_column("tax_amount")
