"""The settlement-source role: where processor payouts and their transactions come from.

A source hands the cycle batches, each all or nothing: a report file, or what an API
said about some payouts. The store remembers each batch's fingerprint, so a batch is
read once; overlapping batches (two reports that share a payout) are merged by payout
and balance-transaction id, so nothing is created twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from arbridge.domain.settlements import Payout


@dataclass(frozen=True, slots=True, kw_only=True)
class SettlementBatch:
    """Payouts read together; `error` instead of payouts when the batch is bad (quarantine it)."""

    label: str
    fingerprint: str
    payouts: Sequence[Payout] = ()
    error: str | None = None


class SettlementSource(Protocol):
    """A processor's payouts: report files in a folder, or the processor's API."""

    @property
    def name(self) -> str:
        """The source's configured name."""
        ...

    @property
    def processor(self) -> str:
        """The processor (`stripe`, `shopify`...), as payouts and the clearing view name it."""
        ...

    @property
    def descriptors(self) -> tuple[str, ...]:
        """Words in a bank line's text that mark this processor's deposits (`STRIPE`)."""
        ...

    def batches(self, known: Callable[[str], bool]) -> Iterator[SettlementBatch]:
        """Yield the batches whose fingerprints are not `known` yet.

        Raises:
            PermanentConnectorError / TransientConnectorError: the source itself is unusable.
        """
        ...

    def put_away(self, batch: SettlementBatch) -> None:
        """Archive (or quarantine, when `batch.error`) what the batch came from, if it moves files."""
        ...
