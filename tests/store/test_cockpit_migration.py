"""Migration 0019_cockpit_queue copies each item's bank date and search text from its line."""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import command

from arbridge.store import create_store_engine, upgrade
from arbridge.store.db import _alembic_config


def test_existing_items_get_their_bank_date_and_search_text(store_url: str) -> None:
    engine = create_store_engine(store_url)  # at the head: go back to before 0019 first
    command.downgrade(_alembic_config(engine), "0018_cockpit_sessions")
    now = "2026-11-30 12:00:00+00:00"
    suggestions = json.dumps([{"invoice_ids": ["INV-7", "Inv-8"], "explanation": "x"}])
    with engine.begin() as db:
        db.execute(
            sa.text(
                "INSERT INTO bank_line (id, account, bank_id, booked_on, amount, currency, "
                'description, payer_name, "references", status, created_at) VALUES '
                "(1, 'op', 'B1', :d, 10000, 'USD', 'ACME  Payment\tRef 9', 'Acme GmbH', '[]', "
                "'review', :now)"
            ),
            {"d": "2026-11-02", "now": now},
        )
        for n, line in ((1, 1), (2, None)):
            db.execute(
                sa.text(
                    "INSERT INTO review_item (id, dedupe_key, reason, status, bank_line_id, "
                    "amount, message, suggestions, created_at, updated_at) VALUES "
                    "(:n, :k, 'no_match', 'open', :line, 10000, 'm', :s, :now, :now)"
                ),
                {"n": n, "k": f"k{n}", "line": line, "s": suggestions, "now": now},
            )
    upgrade(engine)
    with engine.connect() as db:
        rows = db.execute(
            sa.text("SELECT id, booked_on, search_text FROM review_item ORDER BY id")
        ).fetchall()
    assert [(r[0], str(r[1]) if r[1] else None, r[2]) for r in rows] == [
        (1, "2026-11-02", "acme gmbh acme payment ref 9 inv-7 inv-8"),
        (2, None, "inv-7 inv-8"),
    ]
    engine.dispose()
