"""Invariant I5 on the HTTP ERPs: the key is in a searchable field, retries search posted records,
and a multi-invoice application is one document that the ERP takes whole or not at all."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, cast

import pytest

from arbridge.connectors.base import PostOutcome
from arbridge.connectors.errors import RecordRejectedError
from arbridge.domain.records import Allocation, Application
from tests.contracts.harness import Harness, harness

HTTP_KINDS = ("business_central", "acumatica", "quickbooks")


@pytest.fixture(params=HTTP_KINDS)
def erp(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    with harness(request.param, tmp_path) as h:
        yield h


def _app(key: str, *allocs: tuple[str, str]) -> Application:
    allocations = tuple(
        Allocation(invoice_id=inv, customer_id="C001", amount=Decimal(amt)) for inv, amt in allocs
    )
    return Application(
        idempotency_key=f"books:operating:{key}",
        bank_account="operating",
        bank_id=key,
        customer_id="C001",
        booked_on=date(2026, 11, 2),
        amount=sum((a.amount for a in allocations), Decimal("0.00")),
        allocations=allocations,
        evidence=f"bank line {key}; rule exact; confidence 1.00",
    )


class _FindsPosted(Protocol):
    def find_posted_keys(self, keys: Sequence[str]) -> set[str]: ...


def _finder(erp: Harness) -> Callable[[Sequence[str]], set[str]]:
    assert hasattr(erp.gateway, "find_posted_keys")
    return cast("_FindsPosted", erp.gateway).find_posted_keys


def test_find_posted_keys_names_exactly_the_keys_the_erp_holds(erp: Harness) -> None:
    erp.gateway.post_application(_app("TXP1", ("INV-1001", "100.00")))
    erp.gateway.post_application(_app("TXP2", ("INV-1002", "80.50")))

    found = _finder(erp)(["books:operating:TXP1", "books:operating:TXP2", "books:operating:NONE"])

    assert found == {"books:operating:TXP1", "books:operating:TXP2"}


def test_a_multi_invoice_application_is_all_or_nothing(erp: Harness) -> None:
    """The second invoice was paid elsewhere: nothing of the application reaches the ERP."""
    assert erp.change is not None
    erp.change("INV-1002", Decimal("10.00"))
    app = _app("TXM", ("INV-1001", "100.00"), ("INV-1002", "80.50"))

    with pytest.raises(RecordRejectedError):
        erp.gateway.post_application(app)

    assert erp.owed("INV-1001") == Decimal("1250.00")
    assert _finder(erp)([app.idempotency_key]) == set()


def test_one_document_carries_every_invoice_of_an_application(erp: Harness) -> None:
    app = _app("TXD", ("INV-1001", "100.00"), ("INV-1002", "80.50"))

    result = erp.gateway.post_application(app)

    assert result.outcome is PostOutcome.POSTED
    documents = {key for key, _part in cast("Any", erp.fake).ledger()}
    assert len(documents) == 1
    assert erp.owed("INV-1001") == Decimal("1150.00")
    assert erp.owed("INV-1002") == Decimal("400.00")
