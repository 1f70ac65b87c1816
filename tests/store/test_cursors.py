"""Sync cursors persist per connector and stream, versioned, in the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from arbridge.store import Store, cursors

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_cursor_is_stored_versioned_and_reset(store: Store) -> None:
    with store.transaction() as session:
        assert cursors.load_cursor(session, "bc", "invoices") is None
        assert cursors.save_cursor(session, "bc", "invoices", "2026-11-01T10:00:00Z", NOW) == 1
    with store.transaction() as session:
        assert cursors.save_cursor(session, "bc", "invoices", "2026-11-02T10:00:00Z", NOW) == 2
        cursors.save_cursor(session, "qbo", "invoices", "other", NOW)
    with store.transaction() as session:
        assert cursors.load_cursor(session, "bc", "invoices") == "2026-11-02T10:00:00Z"
        cursors.reset_cursor(session, "bc", "invoices")
    with store.transaction() as session:
        assert cursors.load_cursor(session, "bc", "invoices") is None
        assert cursors.load_cursor(session, "qbo", "invoices") == "other"


def test_a_cursor_saved_in_a_failed_transaction_is_not_kept(store: Store) -> None:
    try:
        with store.transaction() as session:
            cursors.save_cursor(session, "bc", "invoices", "2026-11-02T10:00:00Z", NOW)
            raise RuntimeError("the batch failed to store")
    except RuntimeError:
        pass
    with store.transaction() as session:
        assert cursors.load_cursor(session, "bc", "invoices") is None
