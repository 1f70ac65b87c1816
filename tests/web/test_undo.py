"""Undo of a clerk's last decision while its money is still in the outbox; Correct after."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from sqlmodel import col, select, update

from arbridge.app import App
from arbridge.scheduler import run_cycle
from arbridge.store.tables import (
    ApplicationRow,
    BankLineRow,
    OutboxRow,
    PayerLinkRow,
    ReviewItemRow,
)
from tests.web.test_web import _applications, _item_id, _login


def _outbox(demo: App, item: int) -> list[str]:
    with demo.store.transaction() as session:
        query = (
            select(OutboxRow.status)
            .join(ApplicationRow, col(ApplicationRow.id) == col(OutboxRow.application_id))
            .where(col(ApplicationRow.idempotency_key).contains(f":review{item}."))
            .order_by(col(OutboxRow.id))
        )
        return list(session.exec(query))


def _status(demo: App, item: int) -> tuple[str, str | None]:
    with demo.store.transaction() as session:
        row = session.get(ReviewItemRow, item)
        assert row is not None
        return row.status, row.assignee


def test_an_apply_undone_before_the_cycle_posts_nothing_and_can_be_redone(
    client: httpx.Client, demo: App, contract_data_any_store: Path
) -> None:
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0005")
    demo.queue.assign(item, "clara", actor="test")
    done = client.post(
        f"/items/{item}/apply", data={"csrf": csrf, "invoice": "INV-1008", "amount": "760.00"}
    )
    page = client.get(done.headers["location"]).text
    assert f'action="/items/{item}/undo"' in page  # the confirmation offers an undo

    undone = client.post(f"/items/{item}/undo", data={"csrf": csrf})
    shown = client.get(undone.headers["location"]).text
    assert "undone: withdrew" in shown
    assert _status(demo, item) == ("assigned", "clara")  # as it was before the decision
    assert _outbox(demo, item) == ["withdrawn"]
    run_cycle(demo.cycle_deps())
    assert not [r for r in _applications(contract_data_any_store) if r[0] == "TX0005"]

    client.post(
        f"/items/{item}/apply", data={"csrf": csrf, "invoice": "INV-1007", "amount": "760.00"}
    )
    run_cycle(demo.cycle_deps())
    posted = [r for r in _applications(contract_data_any_store) if r[0] == "TX0005"]
    assert posted == [("TX0005", "INV-1007", "C004", "760.00")]  # once, the second choice


def test_once_posted_an_undo_is_refused_and_the_page_offers_a_correction(
    client: httpx.Client, demo: App, contract_data_any_store: Path
) -> None:
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0005")
    client.post(
        f"/items/{item}/apply", data={"csrf": csrf, "invoice": "INV-1008", "amount": "760.00"}
    )
    run_cycle(demo.cycle_deps())
    assert _outbox(demo, item) == ["sent"]

    refused = client.post(f"/items/{item}/undo", data={"csrf": csrf})
    page = client.get(refused.headers["location"]).text
    assert "has left the outbox" in page
    assert _status(demo, item) == ("resolved", None)
    assert _outbox(demo, item) == ["sent"]
    assert re.search(r'<a href="#correct">Correct it</a>', page)
    assert 'id="correct"' in page
    assert f'action="/items/{item}/undo"' not in page


def test_a_dismissal_and_a_set_aside_are_undone_without_the_erp(
    client: httpx.Client, demo: App
) -> None:
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0005")
    client.post(f"/items/{item}/dismiss", data={"csrf": csrf, "comment": "looks fine"})
    client.post(f"/items/{item}/undo", data={"csrf": csrf})
    assert _status(demo, item) == ("open", None)

    client.post(f"/items/{item}/not-ar", data={"csrf": csrf, "category": "interest"})
    assert _status(demo, item)[0] == "resolved"
    client.post(f"/items/{item}/undo", data={"csrf": csrf})
    assert _status(demo, item) == ("open", None)
    trail = [e["action"] for e in demo.queue.show(item)[1]]
    assert trail[-4:] == ["dismiss", "undo", "resolve", "undo"]

    again = client.post(f"/items/{item}/undo", data={"csrf": csrf})
    assert "there is nothing to undo" in client.get(again.headers["location"]).text


def test_undo_forgets_the_payer_link_the_decision_taught(client: httpx.Client, demo: App) -> None:
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0005")

    def links() -> list[tuple[str, str]]:
        with demo.store.transaction() as session:
            rows = session.exec(select(PayerLinkRow).where(PayerLinkRow.origin == "review"))
            return [(r.key, r.customer_id) for r in rows]

    with demo.store.transaction() as session:  # as if the bank had named the payer
        row = session.get(ReviewItemRow, item)
        assert row is not None
        session.exec(
            update(BankLineRow)
            .where(col(BankLineRow.id) == row.bank_line_id)
            .values(payer_name="DELTA HARBOR LOG")
        )
    before = links()
    client.post(
        f"/items/{item}/apply", data={"csrf": csrf, "invoice": "INV-1008", "amount": "760.00"}
    )
    assert set(links()) - set(before) == {("DELTA HARBOR LOG", "C004")}
    client.post(f"/items/{item}/undo", data={"csrf": csrf})
    assert links() == before


def test_a_viewer_cannot_undo(client: httpx.Client, demo: App) -> None:
    csrf = _login(client, "clara")
    item = _item_id(client, "TX0005")
    client.post(f"/items/{item}/dismiss", data={"csrf": csrf, "comment": "x"})
    client.post("/logout", data={"csrf": csrf})
    viewer = _login(client, "vic")
    assert client.post(f"/items/{item}/undo", data={"csrf": viewer}).status_code == 403
    assert _status(demo, item)[0] == "dismissed"
