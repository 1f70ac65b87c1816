"""application.ended and one live application per bank line (invariant I3)

Revision ID: 0017_money_ledger
Revises: 0016_misapplied
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_money_ledger"
down_revision = "0016_misapplied"
branch_labels = None
depends_on = None

_LIVE = sa.text("reverses_id IS NULL AND ended IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("application") as batch:
        batch.add_column(sa.Column("ended", sa.String(length=20), nullable=True))
    op.execute(
        "UPDATE application SET ended = 'rejected' WHERE reverses_id IS NULL AND id IN "
        "(SELECT application_id FROM outbox WHERE status = 'rejected')"
    )
    op.execute(
        "UPDATE application SET ended = 'reversed' WHERE ended IS NULL AND id IN "
        "(SELECT r.reverses_id FROM application r JOIN outbox o ON o.application_id = r.id "
        "WHERE o.status IN ('pending', 'sent'))"
    )
    # A store hurt by the reopen bug may hold two live applications for one line: the
    # oldest keeps standing, the others are marked, and `arbridge audit` reports the line.
    op.execute(
        "UPDATE application SET ended = 'duplicate' WHERE reverses_id IS NULL AND ended IS NULL "
        "AND EXISTS (SELECT 1 FROM application a WHERE a.bank_line_id = application.bank_line_id "
        "AND a.reverses_id IS NULL AND a.ended IS NULL AND a.id < application.id)"
    )
    op.create_index(
        "uq_application_live_line",
        "application",
        ["bank_line_id"],
        unique=True,
        postgresql_where=_LIVE,
        sqlite_where=_LIVE,
    )


def downgrade() -> None:
    op.drop_index("uq_application_live_line", table_name="application")
    with op.batch_alter_table("application") as batch:
        batch.drop_column("ended")
