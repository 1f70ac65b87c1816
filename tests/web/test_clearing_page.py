"""The clearing page explains a processor's clearing account payout by payout."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
from sqlmodel import select

from arbridge.app import App
from arbridge.domain.settlements import Payout, SettlementCategory, SettlementItem
from arbridge.store import settlements
from arbridge.store.tables import BankLineRow
from tests.web.conftest import PASSWORD


def _payout(pid: str, day: date, net: str) -> Payout:
    item = SettlementItem(
        item_id=f"txn_{pid}",
        category=SettlementCategory.CHARGE,
        gross=Decimal(net) + Decimal("1.00"),
        fee=Decimal("1.00"),
        net=Decimal(net),
        currency="USD",
    )
    return Payout(
        processor="stripe", payout_id=pid, effective_on=day, currency="USD", items=(item,)
    )


def _seed(demo: App) -> None:
    now = datetime.now(UTC)
    deposited, waiting = (
        _payout("po_A", date(2026, 11, 2), "500.00"),
        _payout("po_B", date(2026, 11, 3), "250.25"),
    )
    with demo.store.transaction() as session:
        settlements.record_batch(
            session,
            "stripe",
            label="r.csv",
            fingerprint="f1",
            payouts=[deposited, waiting],
            now=now,
        )
        line_id = session.exec(select(BankLineRow.id).where(BankLineRow.bank_id == "TX0001")).one()
        assert line_id is not None
        settlements.mark_deposited(session, deposited, line_id, now)


def test_the_page_shows_the_balance_in_transit_and_each_movement(
    demo: App, client: httpx.Client
) -> None:
    _seed(demo)
    client.post("/login", data={"name": "vic", "password": PASSWORD})
    page = client.get("/clearing", params={"processor": "stripe", "as_of": "2026-11-30"}).text
    assert '<strong class="num">250.25</strong> reported by Stripe and not yet in the bank' in page
    assert "1 payout in transit, 1 deposited" in page
    ledger = page[page.index('id="ledger"') :]
    assert ledger.count("reported by the processor") == 2
    assert ledger.count("deposit booked by the bank") == 1
    assert ">-500.00<" in ledger


def test_an_earlier_day_shows_the_account_as_it_stood(demo: App, client: httpx.Client) -> None:
    _seed(demo)
    client.post("/login", data={"name": "vic", "password": PASSWORD})
    page = client.get("/clearing", params={"as_of": "2026-11-02"}).text
    assert '<strong class="num">0.00</strong>' in page  # po_A came and went; po_B is later
    assert "0 payouts in transit, 1 deposited" in page
    assert "po_B" not in page
    assert client.get("/clearing", params={"as_of": "yesterday"}).status_code == 422
