"""Business Central specifics: paging, tokens, journal-line dedupe after a lost response."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import respx

from arbridge.connectors.base import PostOutcome
from arbridge.connectors.erp import business_central
from arbridge.connectors.erp._http import RateLimiter
from arbridge.connectors.errors import (
    PermanentConnectorError,
    RecordRejectedError,
    TransientConnectorError,
)
from arbridge.domain.records import Allocation, Application
from tests.contracts import fake_bc
from tests.contracts.fault import LOSE, PASS
from tests.contracts.harness import NO_RETRY_SLEEP, demo_records


@pytest.fixture
def bc(tmp_path: Path) -> Iterator[tuple[fake_bc.FakeBusinessCentral, respx.MockRouter]]:
    customers, invoices = demo_records(tmp_path)
    fake = fake_bc.FakeBusinessCentral(customers, invoices)
    with respx.mock(assert_all_called=False) as router:
        fake.install(router)
        yield fake, router


def _gateway(
    clock: list[float] | None = None,
    secret: str = "s3cret-value",  # noqa: S107
    **kw: object,
) -> business_central.BusinessCentralErpGateway:
    now = clock if clock is not None else [0.0]
    return business_central.build(
        name="bc",
        tenant="tenant-1",
        environment="Production",
        company="CRONUS",
        client_id="app-1",
        client_secret=secret,
        retry=NO_RETRY_SLEEP,
        limiter=RateLimiter(()),
        clock=lambda: now[0],
        **kw,  # type: ignore[arg-type]
    )


def _app(key: str = "TX1", first: str = "INV-1001", second: str = "INV-1002") -> Application:
    allocations = (
        Allocation(invoice_id=first, customer_id="C001", amount=Decimal("200.00")),
        Allocation(invoice_id=second, customer_id="C001", amount=Decimal("100.00")),
    )
    return Application(
        idempotency_key=f"bc:operating:{key}",
        bank_account="operating",
        bank_id=key,
        customer_id="C001",
        booked_on=date(2026, 11, 2),
        amount=Decimal("300.00"),
        allocations=allocations,
        evidence=f"bank line {key}; rule reference; confidence 0.98",
    )


def test_follows_next_links_across_small_pages(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, _ = bc
    gateway = _gateway()
    gateway._page_size = 3

    invoices = gateway.fetch_invoices()

    assert len(invoices) == len([i for i in fake.invoices.values() if i.status == "Open"])
    assert fake.faults.calls["invoices"] == -(-len(invoices) // 3)


def test_token_is_cached_and_renewed_before_it_expires(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, _ = bc
    clock = [0.0]
    gateway = _gateway(clock)
    gateway.fetch_customers()
    gateway.fetch_customers()
    assert fake.tokens_issued == 1
    clock[0] = 3599 - 299  # inside the 5-minute margin
    gateway.fetch_customers()
    assert fake.tokens_issued == 2
    assert fake.bearer_seen[-1] == "Bearer tok-2"


def test_a_401_gets_a_new_token_once(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, _ = bc
    gateway = _gateway()
    expired = fake_bc.error(401, "Authentication_InvalidCredentials", "The token has expired")
    fake.faults.add("customers", expired)
    assert len(gateway.fetch_customers()) == len(fake.customers)
    assert fake.tokens_issued == 2


def test_403_is_permanent(bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter]) -> None:
    fake, _ = bc
    fake.faults.add(
        "customers",
        fake_bc.error(403, "Authorization_InsufficientPermissions", "no permission set"),
    )
    with pytest.raises(PermanentConnectorError, match="Authorization_InsufficientPermissions"):
        _gateway().fetch_customers()


def test_bad_client_secret_is_permanent_and_never_echoed(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    with pytest.raises(PermanentConnectorError) as caught:
        _gateway(secret="wrong-s3cret").fetch_customers()
    assert "invalid_client" in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_throttling_is_waited_out(bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter]) -> None:
    fake, _ = bc
    fake.faults.add(
        "invoices",
        fake_bc.error(429, "Unknown", "Too many requests"),
        fake_bc.error(503, "Unknown", "queued too long"),
    )
    assert _gateway().fetch_invoices()
    assert fake.faults.calls["invoices"] == 3


def test_lost_response_then_repost_writes_each_line_once(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    """The second line's 201 is lost: the retry reads the journal and writes nothing twice."""
    fake, _ = bc
    gateway = _gateway()
    fake.faults.add("add_line", PASS, LOSE)  # the second line is written but its answer is lost

    with pytest.raises(TransientConnectorError, match="outcome unknown"):
        gateway.post_application(_app())
    again = gateway.post_application(_app())

    assert again.outcome is PostOutcome.ALREADY_POSTED
    assert len(fake.lines) == 2
    assert fake.journal_amount("INV-1001") == Decimal("200.00")


def test_a_partial_write_is_completed_not_duplicated(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, _ = bc
    gateway = _gateway()
    fake.faults.add("add_line", LOSE)  # first line written, its answer lost; second never sent

    with pytest.raises(TransientConnectorError):
        gateway.post_application(_app())
    assert len(fake.lines) == 1
    assert gateway.post_application(_app()).outcome is PostOutcome.POSTED

    assert sorted(str(ln["appliesToInvoiceNumber"]) for ln in fake.lines) == [
        "INV-1001",
        "INV-1002",
    ]


def test_lines_carry_negative_amounts_dedupe_key_and_evidence(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, _ = bc
    result = _gateway().post_application(_app())
    line = fake.lines[0]
    assert line["amount"] == "-200.00"
    assert line["externalDocumentNumber"] == result.erp_reference
    assert len(str(line["externalDocumentNumber"])) == 20
    assert line["description"] == "bank line TX1; rule reference; confidence 0.98"


def test_post_journal_posts_the_batch(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, _ = bc
    _gateway(post_journal=True).post_application(_app())
    assert fake.lines == []
    assert fake.invoices["INV-1002"].invoice.open_amount == Decimal("380.50")
    assert fake.invoices["INV-1001"].invoice.open_amount == Decimal("1050.00")


def test_a_failed_journal_post_leaves_the_lines_for_the_next_post(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, _ = bc
    fake.faults.add(
        "post",
        fake_bc.error(400, "Application_DialogException", "Posting date is not within your range"),
    )
    result = _gateway(post_journal=True).post_application(_app())
    assert result.outcome is PostOutcome.POSTED
    assert len(fake.lines) == 2


def test_a_failed_call_defers_only_its_application(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, _ = bc
    fake.faults.add("add_line", PASS, PASS, fake_bc.error(500, "Internal_ServerError", "boom"))
    gateway = _gateway()
    apps = [_app("TX1"), _app("TX2", "INV-1003", "INV-1004"), _app("TX3", "INV-1005", "INV-1006")]

    results = gateway.post_applications(apps)

    assert getattr(results[0], "outcome", None) is PostOutcome.POSTED
    assert isinstance(results[1], TransientConnectorError)
    assert getattr(results[2], "outcome", None) is PostOutcome.POSTED
    assert fake.faults.calls["lines"] == 1  # one shared journal read for the chunk


def test_unposted_journal_lines_count_against_the_invoice(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    """BC lowers remainingAmount only when the journal is posted: two posts must not overpay."""
    gateway = _gateway()
    big = Application(
        idempotency_key="bc:operating:TXA",
        bank_account="operating",
        bank_id="TXA",
        customer_id="C001",
        booked_on=date(2026, 11, 2),
        amount=Decimal("1200.00"),
        allocations=(
            Allocation(invoice_id="INV-1001", customer_id="C001", amount=Decimal("1200.00")),
        ),
    )
    gateway.post_application(big)
    with pytest.raises(RecordRejectedError, match=r"has 50\.00 left"):
        gateway.post_application(_app("TXB"))


def test_a_batch_posts_the_journal_once(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    fake, _ = bc
    apps = [_app("TX1"), _app("TX2", "INV-1003", "INV-1004")]
    results = _gateway(post_journal=True).post_applications(apps)
    assert [getattr(r, "outcome", None) for r in results] == [
        PostOutcome.POSTED,
        PostOutcome.POSTED,
    ]
    assert fake.faults.calls["post"] == 1
    assert fake.lines == []
    assert fake.invoices["INV-1003"].invoice.open_amount == Decimal("1800.00")
