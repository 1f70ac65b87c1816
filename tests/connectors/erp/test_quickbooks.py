"""QuickBooks specifics: rotating refresh tokens persisted, requestid replay, 429 waits, void."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import respx

from arbridge.connectors.base import PostOutcome
from arbridge.connectors.erp import quickbooks
from arbridge.connectors.erp._http import FileRefreshTokenStore, RateLimiter, RetryPolicy
from arbridge.connectors.errors import (
    PermanentConnectorError,
    RecordRejectedError,
    TransientConnectorError,
)
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


def _gateway(
    tmp_path: Path, sleeps: list[float] | None = None, clock: list[float] | None = None
) -> quickbooks.QuickBooksErpGateway:
    now = clock if clock is not None else [0.0]
    retry = RetryPolicy(attempts=3, sleep=(sleeps if sleeps is not None else []).append)
    return quickbooks.build(
        name="qbo",
        realm_id=fake_qbo.REALM,
        client_id="client-1",
        client_secret="qbo-s3cret",
        tokens=FileRefreshTokenStore(tmp_path / "qbo.token", connector="qbo"),
        retry=retry,
        limiter=RateLimiter(()),
        clock=lambda: now[0],
    )


def _app(key: str = "TX1", extra: str = "0.00") -> Application:
    allocations = [Allocation(invoice_id="INV-1001", customer_id="C001", amount=Decimal("1250.00"))]
    if Decimal(extra):
        allocations.append(Allocation(invoice_id=None, customer_id="C001", amount=Decimal(extra)))
    return Application(
        idempotency_key=f"qbo:operating:{key}",
        bank_account="operating",
        bank_id=key,
        customer_id="C001",
        booked_on=date(2026, 11, 2),
        amount=sum((a.amount for a in allocations), Decimal("0.00")),
        allocations=tuple(allocations),
        evidence=f"bank line {key}; rule exact; confidence 1.00",
    )


def test_rotated_refresh_token_is_persisted_before_use(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    clock = [0.0]
    gateway = _gateway(tmp_path, clock=clock)
    gateway.fetch_customers()
    assert (tmp_path / "qbo.token").read_text(encoding="utf-8") == "rt-1"
    clock[0] = 3600 - 10  # access token about to expire
    gateway.fetch_customers()
    assert (tmp_path / "qbo.token").read_text(encoding="utf-8") == "rt-2"
    assert qbo.refresh_token == "rt-2"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".qbo.token")] == []


def test_a_restart_uses_the_newest_refresh_token(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    _gateway(tmp_path).fetch_customers()
    _gateway(tmp_path).fetch_customers()  # a fresh process: reads rt-1 from the file
    assert qbo.refresh_token == "rt-2"


def test_a_revoked_refresh_token_is_permanent(qbo: fake_qbo.FakeQuickBooks, tmp_path: Path) -> None:
    """The message says how to get a new refresh token and where to put it."""
    qbo.refresh_token = "rt-7"  # someone re-authorized elsewhere; ours is stale
    with pytest.raises(PermanentConnectorError, match="invalid_grant") as caught:
        _gateway(tmp_path).fetch_customers()
    text = str(caught.value)
    assert "re-authorize the app" in text
    assert "curl -u CLIENT_ID:CLIENT_SECRET -d grant_type=authorization_code" in text
    assert f"write its refresh_token to {tmp_path / 'qbo.token'}" in text
    assert "qbo-s3cret" not in text


def test_an_expired_access_token_is_refreshed_once(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    gateway = _gateway(tmp_path)
    gateway.fetch_customers()
    qbo.access_n += 1  # the server no longer accepts at-1
    gateway.fetch_customers()
    assert qbo.refresh_token == "rt-2"


def test_429s_slow_down_and_a_success_recovers(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    """No Retry-After: 1 s, then doubled for each 429 in a row (cap 60 s); a success starts over."""
    throttled = fake_qbo.fault(429, "", "ThrottleExceeded", kind="ThrottleFault")
    qbo.faults.add("query", throttled, throttled)
    sleeps: list[float] = []
    gateway = _gateway(tmp_path, sleeps)
    gateway.fetch_customers()
    qbo.faults.add("query", throttled)
    gateway.fetch_customers()
    assert sleeps == [1.0, 2.0, 1.0]


def test_lost_payment_response_is_replayed_by_requestid(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    """The POST is processed, its answer lost; the retry with the same requestid gets the same Payment."""
    qbo.faults.add("payment", LOSE)
    result = _gateway(tmp_path).post_application(_app())
    assert result.outcome is PostOutcome.POSTED
    assert len(qbo.payments) == 1
    assert result.erp_reference == next(iter(qbo.payments))
    assert qbo.invoices["INV-1001"].open_amount == Decimal("0.00")


def test_repost_after_a_crash_finds_the_payment_by_reference(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    qbo.faults.add("payment", LOSE, LOSE, LOSE)
    with pytest.raises(TransientConnectorError):
        _gateway(tmp_path).post_application(_app())
    assert _gateway(tmp_path).post_application(_app()).outcome is PostOutcome.ALREADY_POSTED
    assert len(qbo.payments) == 1


def test_payment_body_links_invoices_and_leaves_the_rest_unapplied(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    result = _gateway(tmp_path).post_application(_app("TX2", extra="50.00"))
    payment = qbo.payments[str(result.erp_reference)]
    assert payment["TotalAmt"] == Decimal("1300.00")
    assert payment["UnappliedAmt"] == Decimal("50.00")
    assert payment["Line"] == [
        {
            "Amount": Decimal("1250.00"),
            "LinkedTxn": [{"TxnId": qbo.ids["INV-1001"], "TxnType": "Invoice"}],
        }
    ]
    assert payment["PrivateNote"] == (
        "bank TX2: bank line TX2; rule exact; confidence 1.00 [qbo:operating:TX2]"
    )
    assert payment["PaymentRefNum"].startswith("TX2-")
    assert len(payment["PaymentRefNum"]) == 12


def test_validation_fault_is_a_rejection(qbo: fake_qbo.FakeQuickBooks, tmp_path: Path) -> None:
    qbo.faults.add(
        "payment",
        fake_qbo.fault(
            400, "6000", "A business validation error has occurred", detail="Amount is invalid"
        ),
    )
    with pytest.raises(RecordRejectedError, match="6000: Amount is invalid"):
        _gateway(tmp_path).post_application(_app())


def test_stale_sync_token_on_void_is_transient(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    gateway = _gateway(tmp_path)
    result = gateway.post_application(_app())
    qbo.faults.add("payment", *[fake_qbo.fault(400, "5010", "Stale Object Error")] * 3)
    with pytest.raises(TransientConnectorError, match="5010"):
        gateway.reverse_application(_app(), str(result.erp_reference))


def test_a_fault_inside_a_200_is_still_an_error(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    body = {
        "Fault": {
            "Error": [
                {"Message": "m", "Detail": "batch item failed", "code": "6000", "element": ""}
            ],
            "type": "ValidationFault",
        },
        "time": "t",
    }
    import httpx

    qbo.faults.add("query", httpx.Response(200, json=body))
    with pytest.raises(RecordRejectedError, match="batch item failed"):
        _gateway(tmp_path).fetch_customers()


def test_a_payment_posted_by_an_earlier_version_is_still_found(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    """Before bank ids were shown, PaymentRefNum held 'AB' + hash: a retry must still find it."""
    legacy = quickbooks.wire.legacy_payment_ref("qbo:operating:TX1")
    qbo.payments["1999"] = {"Id": "1999", "PaymentRefNum": legacy, "Line": [], "TotalAmt": 1250}

    result = _gateway(tmp_path).post_application(_app())

    assert result.outcome is PostOutcome.ALREADY_POSTED
    assert result.erp_reference == "1999"
    assert len(qbo.payments) == 1


def test_api_url_and_token_url_point_at_another_host(tmp_path: Path) -> None:
    """A sandbox or a proxy: every call, token refresh included, goes to the configured hosts."""
    (tmp_path / "qbo.token").write_text("rt-0", encoding="utf-8")
    with respx.mock(assert_all_called=False) as router:
        token = router.post("https://auth.proxy.example/token").mock(
            return_value=httpx.Response(
                200, json={"access_token": "at-1", "refresh_token": "rt-0", "expires_in": 3600}
            )
        )
        query = router.get(f"https://qbo.proxy.example/v3/company/{fake_qbo.REALM}/query").mock(
            return_value=httpx.Response(200, json={"QueryResponse": {}, "time": "x"})
        )
        gateway = quickbooks.build(
            name="qbo",
            realm_id=fake_qbo.REALM,
            client_id="client-1",
            client_secret="qbo-s3cret",
            tokens=FileRefreshTokenStore(tmp_path / "qbo.token", connector="qbo"),
            api_url="https://qbo.proxy.example",
            token_url="https://auth.proxy.example/token",
            limiter=RateLimiter(()),
        )
        assert list(gateway.fetch_customers()) == []
    assert token.called
    assert query.calls.last.request.headers["Authorization"] == "Bearer at-1"


def test_a_chunk_is_one_batch_request_and_a_refused_item_refuses_only_itself(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    qbo.refuse.add("INV-1003")
    apps = [_one("TB1", "INV-1002", "480.50"), _one("TB2", "INV-1003", "10.00"), _app("TB3")]

    results = _gateway(tmp_path).post_applications(apps)

    assert qbo.batches == 1
    assert qbo.faults.calls["payment"] == 0
    assert getattr(results[0], "outcome", None) is PostOutcome.POSTED
    assert isinstance(results[1], RecordRejectedError)
    assert "balance" in str(results[1])
    assert getattr(results[2], "outcome", None) is PostOutcome.POSTED
    assert sorted(p["PaymentRefNum"][:3] for p in qbo.payments.values()) == ["TB1", "TB3"]


def test_a_lost_batch_answer_is_retried_without_a_double(
    qbo: fake_qbo.FakeQuickBooks, tmp_path: Path
) -> None:
    apps = [_one("TL1", "INV-1002", "480.50"), _app("TL2")]
    qbo.faults.add("batch", LOSE, LOSE, LOSE)  # every attempt of the client loses the answer
    gateway = _gateway(tmp_path)

    first = gateway.post_applications(apps)
    again = gateway.post_applications(apps)

    assert all(isinstance(r, TransientConnectorError) for r in first)
    assert [getattr(r, "outcome", None) for r in again] == [PostOutcome.ALREADY_POSTED] * 2
    assert len(qbo.payments) == 2


def _one(key: str, invoice: str, amount: str) -> Application:
    allocation = Allocation(invoice_id=invoice, customer_id="C001", amount=Decimal(amount))
    return Application(
        idempotency_key=f"qbo:operating:{key}",
        bank_account="operating",
        bank_id=key,
        customer_id="C001",
        booked_on=date(2026, 11, 2),
        amount=Decimal(amount),
        allocations=(allocation,),
        evidence=f"bank line {key}",
    )
