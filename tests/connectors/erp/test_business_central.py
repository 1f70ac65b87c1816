"""Business Central specifics: paging, tokens, journal-line dedupe after a lost response."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
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
from bench.erp_fakes import fake_bc
from bench.erp_fakes.fault import LOSE, PASS
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
        **kw,  # type: ignore[arg-type]  # keyword overrides of a test builder, checked at run time by the record's constructor
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
    gateway._odata._page_size = 3

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
    text = str(caught.value)
    assert text.startswith("bc: token request to https://login.microsoftonline.com/tenant-1/")
    assert "HTTP 401 invalid_client (AADSTS7000215: Invalid client secret provided." in text
    assert text.count("bc: ") == 1
    assert "wrong-s3cret" not in text


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
    """The $batch answer is lost after BC wrote both lines: the retry finds them and writes nothing."""
    fake, _ = bc
    gateway = _gateway()
    fake.faults.add("batch", LOSE)

    with pytest.raises(TransientConnectorError, match="outcome unknown"):
        gateway.post_application(_app())
    again = gateway.post_application(_app())

    assert again.outcome is PostOutcome.ALREADY_POSTED
    assert len(fake.lines) == 2
    assert fake.journal_amount("INV-1001") == Decimal("200.00")


def test_an_older_partial_write_is_completed_not_duplicated(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    """Lines written one by one by an earlier version: only the missing one is added."""
    fake, _ = bc
    gateway = _gateway()
    gateway.post_application(_app())
    fake.lines = [ln for ln in fake.lines if ln["appliesToInvoiceNumber"] == "INV-1001"]

    assert gateway.post_application(_app()).outcome is PostOutcome.POSTED

    assert sorted(str(ln["appliesToInvoiceNumber"]) for ln in fake.lines) == [
        "INV-1001",
        "INV-1002",
    ]


def test_lines_carry_negative_amounts_dedupe_key_and_evidence(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    """documentNumber is our key; externalDocumentNumber shows the bank id; the memo is cut at a word."""
    fake, _ = bc
    app = dataclasses.replace(_app(), evidence="rule reference; confidence 0.98; " * 5)
    result = _gateway().post_application(app)
    line = fake.lines[0]
    assert line["amount"] == "-200.00"
    assert line["documentNumber"] == result.erp_reference
    assert len(str(line["documentNumber"])) == 20
    assert str(line["externalDocumentNumber"]).startswith("TX1-")
    assert len(str(line["externalDocumentNumber"])) == 12
    description = str(line["description"])
    assert description.startswith("bank TX1: rule reference; confidence 0.98;")
    assert len(description) <= 100
    # the evidence is cut between words, not inside one; the key stays whole at the end
    assert description.endswith(" 0.98… [bc:operating:TX1]")


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
    fake.faults.add("batch", PASS, fake_bc.error(503, "Unknown", "Service unavailable"))
    gateway = _gateway()
    apps = [_app("TX1"), _app("TX2", "INV-1003", "INV-1004"), _app("TX3", "INV-1005", "INV-1006")]

    results = gateway.post_applications(apps)

    assert getattr(results[0], "outcome", None) is PostOutcome.POSTED
    assert isinstance(results[1], TransientConnectorError)
    assert getattr(results[2], "outcome", None) is PostOutcome.POSTED
    assert fake.faults.calls["lines"] == 1  # one shared journal read for the chunk
    assert fake.faults.calls["gl_entries"] == 1  # one shared read of the posted entries


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


def _on_account(key: str) -> Application:
    return Application(
        idempotency_key=f"bc:operating:{key}",
        bank_account="operating",
        bank_id=key,
        customer_id="C001",
        booked_on=date(2026, 11, 2),
        amount=Decimal("75.00"),
        allocations=(Allocation(invoice_id=None, customer_id="C001", amount=Decimal("75.00")),),
        evidence=f"bank line {key}; on account",
    )


def test_a_refused_later_line_leaves_nothing_in_the_journal(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    """#15 reproduction 5: BC refuses the second line; the first must not stay and get posted."""
    fake, _ = bc
    fake.refuse_invoices.add("INV-1002")

    with pytest.raises(RecordRejectedError, match="earlier posting date"):
        _gateway().post_application(_app())

    assert fake.lines == []
    assert fake.faults.calls["batch"] == 1


def test_a_refused_batch_that_bc_half_wrote_is_read_back_and_removed(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    """Should BC not honour the snapshot isolation, the lines it kept are deleted before refusing."""
    fake, _ = bc
    fake.honour_isolation = False
    fake.refuse_invoices.add("INV-1002")

    with pytest.raises(RecordRejectedError):
        _gateway().post_application(_app())

    assert fake.lines == []
    assert fake.faults.calls["delete_line"] == 1


def test_a_retry_after_the_journal_was_posted_finds_the_posted_payment(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    """#15 reproduction 6: the answer is lost, finance posts the journal, the retry must not repost."""
    fake, _ = bc
    fake.faults.add("batch", LOSE)
    gateway = _gateway()
    with pytest.raises(TransientConnectorError):
        gateway.post_application(_on_account("TXO"))
    fake.finance_posts()  # finance posts the journal by hand

    again = gateway.post_application(_on_account("TXO"))

    assert again.outcome is PostOutcome.ALREADY_POSTED
    assert fake.lines == []
    assert [d for d, _inv in fake.ledger()] == [again.erp_reference]
    assert gateway.find_posted_keys(["bc:operating:TXO", "bc:operating:TXZ"]) == {
        "bc:operating:TXO"
    }


def test_post_journal_refuses_a_journal_with_lines_it_did_not_write(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    """#15 reproduction 7, at start: a shared journal batch stops the connector with advice."""
    fake, _ = bc
    fake.add_foreign_line("INV-1003", "100.00")

    with pytest.raises(PermanentConnectorError, match=r"did not write.*journal batch of its own"):
        _gateway(post_journal=True).post_application(_app())

    assert fake.faults.calls["post"] == 0
    assert len(fake.lines) == 1


def test_post_journal_skips_the_post_when_finance_adds_a_line_later(
    bc: tuple[fake_bc.FakeBusinessCentral, respx.MockRouter],
) -> None:
    """#15 reproduction 7, later: the foreign line arrives after start; nothing is posted."""
    fake, _ = bc
    gateway = _gateway(post_journal=True)
    gateway.post_application(_app("TX1"))
    fake.add_foreign_line("INV-1005", "100.00")

    assert (
        gateway.post_application(_app("TX2", "INV-1003", "INV-1004")).outcome is PostOutcome.POSTED
    )

    assert fake.faults.calls["post"] == 1  # only the first, clean, post
    assert {str(ln["documentNumber"]) for ln in fake.lines} >= {"G00042"}
    assert len(fake.lines) == 3


def test_api_and_token_urls_can_point_elsewhere(tmp_path: Path) -> None:
    """api_url / token_url: a sandbox, a proxy or a test double instead of Microsoft's hosts."""
    customers, invoices = demo_records(tmp_path)
    with respx.mock(assert_all_called=False) as router:
        token = router.post("https://proxy.example/tenant-1/token").mock(
            return_value=httpx.Response(
                200, json={"access_token": "tok-1", "expires_in": 3600, "token_type": "Bearer"}
            )
        )
        companies = router.get(
            "https://bc.proxy.example/v2.0/tenant-1/Production/api/v2.0/companies"
        ).mock(return_value=httpx.Response(200, json={"value": []}))
        gateway = _gateway(
            api_url="https://bc.proxy.example/", token_url="https://proxy.example/{tenant}/token"
        )
        with pytest.raises(PermanentConnectorError, match="no company"):
            gateway.fetch_customers()
    assert token.called
    assert companies.calls.last.request.headers["Authorization"] == "Bearer tok-1"
    assert customers
    assert invoices
