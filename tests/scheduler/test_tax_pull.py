"""Incremental pulls of the tax system: changes merged into the cache, a full refresh daily."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from arbridge.connectors.tax import InMemoryTaxSystem
from arbridge.domain.tax import TaxCertificate, TaxCustomer
from arbridge.scheduler.tax import pull
from arbridge.store import Store

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Recording(InMemoryTaxSystem):
    """The memory tax system, remembering the `modified_since` of each certificate pull."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]  # keyword overrides of a test builder, checked at run time by the record's constructor
        self.asked: list[datetime | None] = []

    def list_certificates(self, modified_since: datetime | None = None) -> Sequence[TaxCertificate]:
        self.asked.append(modified_since)
        return super().list_certificates(modified_since)


def _cert(cid: str, modified: datetime, status: str = "COMPLETE") -> TaxCertificate:
    return TaxCertificate(
        certificate_id=cid,
        customer_codes=("C001",),
        signed_date=date(2026, 1, 1),
        expiration_date=date(2027, 1, 1),
        region="CA",
        status=status,
        modified_at=modified,
    )


def test_second_pull_asks_only_for_changes_and_keeps_the_rest(store: Store) -> None:
    """The cache answers for unchanged certificates; a change made since is merged in."""
    now = [T0]
    system = Recording(
        customers=[TaxCustomer(customer_code="C001", modified_at=T0 - timedelta(days=5))],
        certificates=[
            _cert("1", T0 - timedelta(days=5)),
            _cert("2", T0 - timedelta(days=5), "PENDING"),
        ],
        clock=lambda: now[0],
    )
    codes, first = pull(store, system, lambda: now[0])
    now[0] = T0 + timedelta(hours=1)
    system.approve("2")

    codes, second = pull(store, system, lambda: now[0])

    assert system.asked == [None, T0]
    assert codes == ["C001"]
    assert {c.certificate_id: c.status for c in first} == {"1": "COMPLETE", "2": "PENDING"}
    assert {c.certificate_id: c.status for c in second} == {"1": "COMPLETE", "2": "COMPLETE"}
    assert second[0].signed_date == date(2026, 1, 1)


def test_a_full_pull_a_day_later_drops_deleted_certificates(store: Store) -> None:
    """Deletions are invisible to incremental pulls, so the daily full pull replaces the cache."""
    now = [T0]
    system = Recording(certificates=[_cert("1", T0), _cert("2", T0)], clock=lambda: now[0])
    pull(store, system, lambda: now[0])
    del system.certificates["2"]
    now[0] = T0 + timedelta(hours=2)
    _, incremental = pull(store, system, lambda: now[0])
    now[0] = T0 + timedelta(days=1, minutes=1)

    _, full = pull(store, system, lambda: now[0])

    assert sorted(c.certificate_id for c in incremental) == ["1", "2"]
    assert [c.certificate_id for c in full] == ["1"]
    assert system.asked[-1] is None
