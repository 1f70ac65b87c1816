"""Which partition decides each pending line, so that two daemons never spend the same invoice.

A line whose payer is known and whose proposal touches that one customer only belongs
to the customer's partition (a number derived from the customer id alone, the same in
every process). Every other line, the shared remainder, is decided under one exclusive
lock: payer unknown (a name or amount match may land on anyone's invoice), invoices of
several customers (multi-customer payouts, a parent paying for its subsidiaries),
nothing proposed yet. Deciding a line of a partition may spend only invoices of the
partitions held (`within`); a line whose fresh match strays is deferred to the remainder.

No I/O: the plan is made from proposals the engine gave on a moment's view of the book.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field

from arbridge.domain.records import Proposal, ProposalOutcome

PARTITION_BITS = 31
"""Partition numbers fit a PostgreSQL integer (the second half of an advisory lock key)."""


def partition_of(customer_id: str) -> int:
    """The partition of a customer: CRC-32 of its id (stable across processes and versions)."""
    return zlib.crc32(customer_id.encode("utf-8")) & ((1 << PARTITION_BITS) - 1)


def customers_of(proposal: Proposal) -> set[str]:
    """The customers whose invoices (or account) this proposal would touch."""
    found = {a.customer_id for a in proposal.allocations}
    if proposal.customer_id:
        found.add(proposal.customer_id)
    return found


def home_of(proposal: Proposal) -> int | None:
    """The one partition this line belongs to, or None for the shared remainder."""
    if proposal.outcome is ProposalOutcome.IGNORE or not proposal.customer_id:
        return None
    customers = customers_of(proposal)
    for suggestion in proposal.suggestions:
        if suggestion.customer_id:
            customers.add(suggestion.customer_id)
    if len(customers) != 1:
        return None
    return partition_of(proposal.customer_id)


def within(proposal: Proposal, held: Collection[int]) -> bool:
    """True when deciding this proposal spends only invoices of the partitions `held`."""
    if proposal.outcome is not ProposalOutcome.APPLY:
        return True  # a review item or a set-aside line spends nothing
    return all(partition_of(c) in held for c in customers_of(proposal))


@dataclass(frozen=True, slots=True)
class Chunk:
    """Lines to decide in one transaction, by the partition that must be held for them."""

    lines: dict[int, tuple[int, ...]]

    @property
    def partitions(self) -> frozenset[int]:
        """The partitions this chunk needs."""
        return frozenset(self.lines)

    def held(self, partitions: Collection[int]) -> list[int]:
        """The line ids of the partitions held, in id order."""
        return sorted(i for key, ids in self.lines.items() if key in partitions for i in ids)


@dataclass(slots=True)
class Plan:
    """Pending lines by partition (each in id order), and the shared remainder."""

    partitions: dict[int, list[int]] = field(default_factory=dict)
    remainder: list[int] = field(default_factory=list)

    def chunks(self, size: int, start: int = 0) -> Iterator[Chunk]:
        """Whole partitions gathered up to `size` lines (a bigger one alone, in slices).

        Partitions are taken in number order beginning at the `start`-th (wrapping
        around), so daemons given different starts begin on different partitions.
        """
        keys = sorted(self.partitions)
        if not keys:
            return
        offset = start % len(keys)
        gathered: dict[int, list[int]] = {}
        count = 0
        for key in keys[offset:] + keys[:offset]:
            ids = self.partitions[key]
            if len(ids) >= size:
                for at in range(0, len(ids), size):
                    yield Chunk({key: tuple(ids[at : at + size])})
                continue
            if count + len(ids) > size:
                yield _chunk(gathered)
                gathered, count = {}, 0
            gathered[key] = ids
            count += len(ids)
        if gathered:
            yield _chunk(gathered)

    def remainder_chunks(self, size: int) -> Iterator[tuple[int, ...]]:
        """The remainder in slices of at most `size` lines, in id order."""
        ids = sorted(self.remainder)
        for at in range(0, len(ids), size):
            yield tuple(ids[at : at + size])


def _chunk(gathered: dict[int, list[int]]) -> Chunk:
    return Chunk({key: tuple(ids) for key, ids in gathered.items()})


def plan(proposals: Sequence[tuple[int, Proposal]]) -> Plan:
    """Each line to its partition or the remainder."""
    result = Plan()
    for line_id, proposal in sorted(proposals, key=lambda pair: pair[0]):
        home = home_of(proposal)
        if home is None:
            result.remainder.append(line_id)
        else:
            result.partitions.setdefault(home, []).append(line_id)
    return result


def start_for(worker: str) -> int:
    """Where a daemon begins among the partitions (spreads daemons apart; any value is safe)."""
    return zlib.crc32(worker.encode("utf-8"))
