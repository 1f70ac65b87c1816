"""QuickBooks discounts and write-offs: a CreditMemo linked in the same Payment, exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import respx

from arbridge.connectors.base import PostOutcome
from arbridge.connectors.erp import quickbooks
from arbridge.connectors.erp._http import FileRefreshTokenStore, RateLimiter, RetryPolicy
from arbridge.connectors.errors import RecordRejectedError, TransientConnectorError
from arbridge.domain.records import Allocation, Application
from bench.erp_fakes import fake_qbo
from bench.erp_fakes.fault import LOSE
from tests.contracts.harness import demo_records


@pytest.fixture
def qbo(tmp_path: Path) -> Iterator[fake_qbo.FakeQuickBooks]:
    customers, invoices = demo_records(tmp_path)
    fake = fake_qbo.FakeQuickBooks(customers, invoices)
    (tmp_path / "qbo.token").write_text(fake.refresh_token, encoding="utf-8")
    with respx.mock(assert_all_called=False) as router:
        fake.install(router)
        yield fake


def _gateway(tmp_path: Path, *, items: bool = True) -> quickbooks.QuickBooksErpGateway:
    return quickbooks.build(
        name="qbo",
        realm_id=fake_qbo.REALM,
        client_id="client-1",
        client_secret="qbo-s3cret",
        tokens=FileRefreshTokenStore(tmp_path / "qbo.token", connector="qbo"),
        retry=RetryPolicy(attempts=3, sleep=lambda _s: None),
        limiter=RateLimiter(()),
        discount_item="21" if items else None,
        write_off_item="22" if items else None,
    )


def _app(
    key: str, cash: str, adjustment: str, reason: str = "early_payment_discount"
) -> Application:
    allocation = Allocation(
        invoice_id="INV-1001",
        customer_id="C001",
        amount=Decimal(cash),
        adjustment=Decimal(adjustment),
        adjustment_reason=reason,
    )
    return Application(
        idempotency_key=f"qbo:operating:{key}",
        bank_account="operating",
        bank_id=key,
        customer_id="C001",
        booked_on=date(2026, 11, 2),
        amount=Decimal(cash),
        allocations=(allocation,),
        evidence=f"bank line {key}; 2% 10 net 30",
    )


def _only_memo(qbo: fake_qbo.FakeQuickBooks) -> dict[str, object]:
    assert len(qbo.credit_memos) == 1
    return next(iter(qbo.credit_memos.values()))


def test_a_discount_is_a_credit_memo_linked_in_the_same_payment(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    result = _gateway(tmp_path).post_application(_app("TD1", "1225.00", "25.00"))

    assert result.outcome is PostOutcome.POSTED
    memo = _only_memo(qbo)
    line = memo["Line"][0]  # type: ignore[index] # a JSON object from the fake
    assert line["SalesItemLineDetail"]["ItemRef"] == {"value": "21"}
    assert line["Amount"] == Decimal("25.00")
    payment = qbo.payments[str(result.erp_reference)]
    assert payment["TotalAmt"] == Decimal("1225.00")
    assert payment["Line"] == [
        {
            "Amount": Decimal("1250.00"),
            "LinkedTxn": [{"TxnId": qbo.ids["INV-1001"], "TxnType": "Invoice"}],
        },
        {"Amount": Decimal("25.00"), "LinkedTxn": [{"TxnId": memo["Id"], "TxnType": "CreditMemo"}]},
    ]
    assert payment["UnappliedAmt"] == Decimal("0.00")
    assert qbo.invoices["INV-1001"].open_amount == Decimal("0.00")
    assert memo["Balance"] == Decimal("0.00")


def test_a_write_off_books_on_the_write_off_item(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    _gateway(tmp_path).post_application(_app("TW1", "1249.10", "0.90", reason="short_pay"))

    line = _only_memo(qbo)["Line"][0]  # type: ignore[index] # a JSON object from the fake
    assert line["SalesItemLineDetail"]["ItemRef"] == {"value": "22"}
    assert qbo.invoices["INV-1001"].open_amount == Decimal("0.00")


def test_without_configured_items_the_adjustment_is_refused_clearly(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    with pytest.raises(RecordRejectedError, match=r"cannot carry discount.*discount_item"):
        _gateway(tmp_path, items=False).post_application(_app("TD2", "1225.00", "25.00"))
    assert qbo.credit_memos == {}
    assert qbo.payments == {}


def test_a_lost_credit_memo_answer_is_replayed_not_doubled(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    qbo.faults.add("creditmemo", LOSE)
    result = _gateway(tmp_path).post_application(_app("TD3", "1225.00", "25.00"))
    assert result.outcome is PostOutcome.POSTED
    assert len(qbo.credit_memos) == 1
    assert len(qbo.payments) == 1


def test_a_retry_after_a_crash_finds_the_credit_memo_by_doc_number(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    """The memo was created, the Payment never got through; later (requestids forgotten) no second memo."""
    down = fake_qbo.fault(503, "", "Service Unavailable", kind="SystemFault")
    qbo.faults.add("payment", down, down, down)
    with pytest.raises(TransientConnectorError):
        _gateway(tmp_path).post_application(_app("TD4", "1225.00", "25.00"))
    assert len(qbo.credit_memos) == 1
    assert qbo.payments == {}
    qbo.replies.clear()

    result = _gateway(tmp_path).post_application(_app("TD4", "1225.00", "25.00"))

    assert result.outcome is PostOutcome.POSTED
    memo = _only_memo(qbo)
    assert memo["Balance"] == Decimal("0.00")
    assert qbo.invoices["INV-1001"].open_amount == Decimal("0.00")


def test_a_repost_of_a_posted_discount_is_already_posted(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    _gateway(tmp_path).post_application(_app("TD5", "1225.00", "25.00"))
    again = _gateway(tmp_path).post_application(_app("TD5", "1225.00", "25.00"))
    assert again.outcome is PostOutcome.ALREADY_POSTED
    assert len(qbo.credit_memos) == 1
    assert len(qbo.payments) == 1


def test_a_batch_carries_the_discount_and_a_plain_payment(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    plain = Application(
        idempotency_key="qbo:operating:TP1",
        bank_account="operating",
        bank_id="TP1",
        customer_id="C001",
        booked_on=date(2026, 11, 2),
        amount=Decimal("480.50"),
        allocations=(
            Allocation(invoice_id="INV-1002", customer_id="C001", amount=Decimal("480.50")),
        ),
    )
    results = _gateway(tmp_path).post_applications([_app("TB1", "1225.00", "25.00"), plain])

    assert [getattr(r, "outcome", r) for r in results] == [PostOutcome.POSTED] * 2
    assert qbo.batches == 1
    assert len(qbo.credit_memos) == 1
    assert qbo.invoices["INV-1001"].open_amount == Decimal("0.00")


def test_a_voided_discount_payment_frees_the_invoice_and_the_credit(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    app = _app("TV1", "1225.00", "25.00")
    gateway = _gateway(tmp_path)
    posted = gateway.post_application(app)
    gateway.reverse_application(app, str(posted.erp_reference))
    assert qbo.invoices["INV-1001"].open_amount == Decimal("1250.00")
    assert _only_memo(qbo)["Balance"] == Decimal("25.00")


def test_the_posted_ledger_reads_the_discount_as_cash_and_adjustment(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    """What the audit and the refused-posting read-back see: cash = the bank line, closing = invoice."""
    app = _app("TA1", "1225.00", "25.00")
    gateway = _gateway(tmp_path)
    gateway.post_application(app)

    held = gateway.find_posted([app.idempotency_key])

    assert [(r.invoice_id, r.amount, r.adjustment) for r in held] == [
        ("INV-1001", Decimal("1225.00"), Decimal("25.00"))
    ]
