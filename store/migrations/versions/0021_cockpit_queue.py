"""review queue at scale: the bank date and a search text on each item, one covering index;
who taught each payer link

Revision ID: 0021_cockpit_queue
Revises: 0020_ar_collections
Create Date: 2026-11-30

The queue page filters, counts and sums open items by status, reason, bank date, amount,
customer, assignee and text. Copying the bank line's date and a lower-case search text
(payer, bank text, suggested invoices) onto the item lets one index answer all of it
without reading the items' rows or joining the bank lines.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0021_cockpit_queue"
down_revision = "0020_ar_collections"
branch_labels = None
depends_on = None

SEARCH_TEXT_MAX = 500
_COLUMNS = ["status", "reason", "booked_on", "amount", "customer_id", "assignee", "search_text"]


def upgrade() -> None:
    with op.batch_alter_table("review_item") as batch:
        batch.add_column(sa.Column("booked_on", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column(
                "search_text", sa.String(length=SEARCH_TEXT_MAX), nullable=False, server_default=""
            )
        )
    _backfill(op.get_bind())
    op.create_index("ix_review_item_queue", "review_item", _COLUMNS)
    with op.batch_alter_table("payer_link") as batch:
        batch.add_column(sa.Column("taught_by", sa.String(length=100), nullable=True))


def _backfill(bind: Any) -> None:
    read = sa.text(
        "SELECT r.id, r.suggestions, b.booked_on, b.payer_name, b.description "
        "FROM review_item r LEFT OUTER JOIN bank_line b ON b.id = r.bank_line_id "
        "WHERE r.id > :after ORDER BY r.id LIMIT 5000"
    )
    update = sa.text("UPDATE review_item SET booked_on = :b, search_text = :t WHERE id = :i")
    after = 0
    while rows := bind.execute(read, {"after": after}).fetchall():
        bind.execute(update, [{"i": r[0], "b": r[2], "t": _text(r[3], r[4], r[1])} for r in rows])
        after = rows[-1][0]


def _text(payer: str | None, description: str | None, suggestions: Any) -> str:
    if isinstance(suggestions, str):
        suggestions = json.loads(suggestions or "[]")
    ids = [i for s in suggestions or () for i in s.get("invoice_ids", [])]
    words = " ".join([payer or "", description or "", *ids]).split()
    return " ".join(words).lower()[:SEARCH_TEXT_MAX]


def downgrade() -> None:
    with op.batch_alter_table("payer_link") as batch:
        batch.drop_column("taught_by")
    op.drop_index("ix_review_item_queue", table_name="review_item")
    with op.batch_alter_table("review_item") as batch:
        batch.drop_column("search_text")
        batch.drop_column("booked_on")
