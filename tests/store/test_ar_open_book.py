"""Open items after arbridge's postings: netted until the ERP shows them, never twice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from arbridge.domain.records import Allocation, Application, BankLine, Customer, Invoice
from arbridge.store import Store, bank, erp, postings
from arbridge.store import ar as store_ar
from arbridge.store.postings import NewApplication

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CUSTOMERS = [Customer(customer_id="C1", name="Acme")]


def _invoices(open_1: str, open_2: str = "300.00") -> list[Invoice]:
    return [
        Invoice(
            invoice_id=inv,
            customer_id="C1",
            invoice_date=date(2026, 10, 1),
            due_date=date(2026, 10, 31),
            amount=Decimal(total),
            open_amount=Decimal(open_),
        )
        for inv, total, open_ in (("INV-1", "500.00", open_1), ("INV-2", "300.00", open_2))
    ]


def _snapshot(store: Store, invoices: list[Invoice], now: datetime) -> None:
    with store.transaction() as session:
        erp.save_snapshot(session, "books", CUSTOMERS, invoices, now)


def _post(store: Store, bank_id: str, amount: str, now: datetime, *, send: bool = True) -> int:
    line = BankLine(
        account="operating",
        bank_id=bank_id,
        booked_on=date(2026, 11, 20),
        amount=Decimal(amount),
        currency="USD",
        description="INV-1",
    )
    application = Application(
        idempotency_key=f"books:operating:{bank_id}",
        bank_account="operating",
        bank_id=bank_id,
        customer_id="C1",
        booked_on=line.booked_on,
        amount=line.amount,
        allocations=(Allocation(invoice_id="INV-1", customer_id="C1", amount=line.amount),),
    )
    with store.transaction() as session:
        bank.import_file(
            session,
            source="operating",
            path="/b.csv",
            name="b.csv",
            sha256=bank_id.ljust(64, "0"),
            lines=[line],
            now=now,
        )
        line_id = bank.pending_lines(session)["operating", bank_id]
        item = NewApplication(
            bank_line_id=line_id, application=application, confidence=1, explanation="t"
        )
        (app_id,) = postings.add_applications(session, [item], erp="books", run_id=None, now=now)
        if send:
            entry = next(
                e for e in postings.pending(session, "books") if e.application.bank_id == bank_id
            )
            postings.mark_sent(session, entry.outbox_id, bank_id, now)
    return app_id


def _open(store: Store) -> dict[str, Decimal]:
    with store.transaction() as session:
        book = store_ar.open_book(session, "books")
    assert book is not None
    return {i.invoice_id: i.open_amount for i in book.items}


def test_no_snapshot_means_no_book(store: Store) -> None:
    with store.transaction() as session:
        assert store_ar.open_book(session, "books") is None


def test_a_posting_the_snapshot_does_not_show_is_taken_off(store: Store) -> None:
    _snapshot(store, _invoices("500.00"), T0)
    _post(store, "TX1", "200.00", T0 + timedelta(minutes=1))

    assert _open(store) == {"INV-1": Decimal("300.00"), "INV-2": Decimal("300.00")}


def test_once_the_erp_shows_the_posting_it_is_not_taken_off_again(store: Store) -> None:
    _snapshot(store, _invoices("500.00"), T0)
    _post(store, "TX1", "200.00", T0 + timedelta(minutes=1))
    _snapshot(store, _invoices("300.00"), T0 + timedelta(minutes=5))  # the next pull reflects it

    assert _open(store)["INV-1"] == Decimal("300.00")


def test_an_erp_that_does_not_show_it_yet_keeps_it_netted(store: Store) -> None:
    _snapshot(store, _invoices("500.00"), T0)
    _post(store, "TX1", "200.00", T0 + timedelta(minutes=1))
    _snapshot(store, _invoices("500.00"), T0 + timedelta(minutes=5))  # same export read again

    assert _open(store)["INV-1"] == Decimal("300.00")


def test_only_later_postings_are_netted_when_the_erp_shows_the_earlier(store: Store) -> None:
    _snapshot(store, _invoices("500.00"), T0)
    _post(store, "TX1", "200.00", T0 + timedelta(minutes=1))
    _snapshot(store, _invoices("300.00"), T0 + timedelta(minutes=5))
    _post(store, "TX2", "50.00", T0 + timedelta(minutes=6))

    assert _open(store)["INV-1"] == Decimal("250.00")


def test_unposted_applications_stay_out_of_the_open_amounts(store: Store) -> None:
    _snapshot(store, _invoices("500.00"), T0)
    _post(store, "TX1", "200.00", T0 + timedelta(minutes=1), send=False)

    assert _open(store)["INV-1"] == Decimal("500.00")
    with store.transaction() as session:
        assert store_ar.unposted(session, "books") == {"INV-1": Decimal("200.00")}


def test_a_closed_invoice_stays_out_and_netting_never_goes_below_zero(store: Store) -> None:
    _snapshot(store, _invoices("100.00", "0.00"), T0)
    _post(store, "TX1", "200.00", T0 + timedelta(minutes=1))

    assert _open(store) == {"INV-1": Decimal("0.00")}
