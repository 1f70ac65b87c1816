"""Bounded subset-sum: which open invoices of a payer add up to a payment.

The search runs in whole cents over at most `max_invoices` invoices (oldest due
first), takes at most `max_size` of them, stops after two solutions (then the
answer is ambiguous) and gives up after `budget` steps (then it is unknown).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from arbridge.matching.amounts import Open

MIN_INVOICES = 2  # one invoice of the exact amount is not a subset question
ENOUGH = 2  # two solutions make the answer ambiguous


@dataclass(frozen=True, slots=True)
class SubsetResult:
    """Up to two solutions (index tuples into the input) and whether the search finished."""

    solutions: tuple[tuple[int, ...], ...]
    complete: bool

    @property
    def unique(self) -> tuple[int, ...] | None:
        """The only solution, when the search finished and found exactly one."""
        return self.solutions[0] if self.complete and len(self.solutions) == 1 else None


def find_subsets(
    opens: Sequence[Open], amount: Decimal, *, max_size: int, budget: int
) -> SubsetResult:
    """Subsets of `opens` (two or more invoices) whose open amounts sum to `amount`."""
    cents = [(int(rem * 100), i) for i, (_, rem) in enumerate(opens) if rem > 0]
    cents.sort(key=lambda item: (-item[0], item[1]))
    values = [c for c, _ in cents]
    suffix = [0] * (len(values) + 1)
    for i in range(len(values) - 1, -1, -1):
        suffix[i] = suffix[i + 1] + values[i]
    target = int(amount * 100)
    found: list[tuple[int, ...]] = []
    steps = 0
    stack: list[tuple[int, int, tuple[int, ...]]] = [(0, target, ())]
    while stack:
        steps += 1
        if steps > budget:
            return SubsetResult(tuple(found), complete=False)
        start, left, chosen = stack.pop()
        if left == 0:
            if len(chosen) >= MIN_INVOICES:
                found.append(tuple(sorted(cents[k][1] for k in chosen)))
                if len(found) >= ENOUGH:
                    return SubsetResult(tuple(found), complete=True)
            continue
        if len(chosen) >= max_size or start >= len(values) or suffix[start] < left:
            continue
        for k in range(len(values) - 1, start - 1, -1):
            if values[k] <= left:
                stack.append((k + 1, left - values[k], (*chosen, k)))
    return SubsetResult(tuple(found), complete=True)
