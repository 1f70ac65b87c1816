"""Learned payer links: stored per ERP, a person's link outranks an automatic one."""

from __future__ import annotations

from datetime import UTC, datetime

from arbridge.store import Store, payer_links

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_links_are_loaded_per_erp(store: Store) -> None:
    with store.transaction() as session:
        payer_links.learn(
            session,
            "books",
            kind="account",
            key="DE89 3704",
            customer_id="C1",
            origin="auto",
            now=NOW,
        )
        payer_links.learn(
            session,
            "books",
            kind="alias",
            key="ACME  TREASURY",
            customer_id="C2",
            origin="review",
            now=NOW,
        )
        payer_links.learn(
            session, "other", kind="account", key="X", customer_id="C9", origin="auto", now=NOW
        )

    with store.transaction() as session:
        links = payer_links.load_links(session, "books")

    assert links.accounts == {"DE89 3704": "C1"}
    assert links.aliases == {"ACME TREASURY": "C2"}
    assert links.known_payers == frozenset()


def test_an_automatic_link_never_overrides_a_persons(store: Store) -> None:
    with store.transaction() as session:
        payer_links.learn(
            session, "books", kind="account", key="A1", customer_id="C1", origin="review", now=NOW
        )
        kept = payer_links.learn(
            session, "books", kind="account", key="A1", customer_id="C2", origin="auto", now=NOW
        )
        moved = payer_links.learn(
            session, "books", kind="account", key="A1", customer_id="C3", origin="review", now=NOW
        )

    with store.transaction() as session:
        assert payer_links.load_links(session, "books").accounts == {"A1": "C3"}
    assert (kept, moved) == (False, True)
