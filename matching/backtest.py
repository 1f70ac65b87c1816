"""Replay history through the current rules: what would have been auto-posted, right or wrong.

`replay_invoices` restores open amounts to what they were before the recorded
applications; `compare` scores the engine's proposals against what people (or other
tools) actually applied to the same bank lines.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from arbridge.domain.records import ZERO, Invoice, Proposal, ProposalOutcome


@dataclass(frozen=True, slots=True, kw_only=True)
class PostedRow:
    """One row of an ERP's application history (the contract's applications.csv shape)."""

    bank_id: str
    invoice_id: str | None
    amount: Decimal
    adjustment: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class Miss:
    """A line the engine would have auto-posted differently from what was actually posted."""

    bank_id: str
    engine: tuple[tuple[str | None, Decimal], ...]
    actual: tuple[tuple[str | None, Decimal], ...]
    explanation: str


@dataclass(slots=True)
class BacktestReport:
    """Counts and the wrong auto-posts; precision and recall over lines with history."""

    lines: int = 0
    with_history: int = 0
    auto_posted: int = 0
    right: int = 0
    reviewed: Counter[str] = field(default_factory=Counter)
    wrong: list[Miss] = field(default_factory=list)
    without_history: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """Share of the engine's auto-posts (on lines with history) that match the history."""
        judged = self.right + len(self.wrong)
        return self.right / judged if judged else 1.0

    @property
    def recall(self) -> float:
        """Share of lines with history that the engine would have auto-posted the same way."""
        return self.right / self.with_history if self.with_history else 0.0


def replay_invoices(invoices: Sequence[Invoice], history: Sequence[PostedRow]) -> list[Invoice]:
    """Invoices as they stood before the history was posted (open amounts put back)."""
    taken: dict[str, Decimal] = {}
    for row in history:
        if row.invoice_id:
            taken[row.invoice_id] = taken.get(row.invoice_id, ZERO) + row.amount + row.adjustment
    return [
        replace(inv, open_amount=min(inv.open_amount + taken[inv.invoice_id], inv.amount))
        if inv.invoice_id in taken
        else inv
        for inv in invoices
    ]


def _rows(pairs: Counter[tuple[str | None, Decimal]]) -> tuple[tuple[str | None, Decimal], ...]:
    return tuple(sorted(pairs.elements(), key=lambda p: (p[0] or "", p[1])))


def compare(proposals: Sequence[Proposal], history: Sequence[PostedRow]) -> BacktestReport:
    """Score proposals against the history, line by line (cash per invoice must agree)."""
    actual: Mapping[str, Counter[tuple[str | None, Decimal]]] = _by_line(history)
    report = BacktestReport()
    for proposal in proposals:
        if not proposal.line.is_credit:
            continue
        report.lines += 1
        bank_id = proposal.line.bank_id
        posted = actual.get(bank_id)
        report.with_history += posted is not None
        if proposal.outcome is not ProposalOutcome.APPLY:
            report.reviewed[proposal.reason.value if proposal.reason else "ignored"] += 1
            continue
        report.auto_posted += 1
        engine = Counter((a.invoice_id, a.amount) for a in proposal.allocations)
        if posted is None:
            report.without_history.append(bank_id)
        elif engine == posted:
            report.right += 1
        else:
            report.wrong.append(Miss(bank_id, _rows(engine), _rows(posted), proposal.explanation))
    return report


def _by_line(history: Sequence[PostedRow]) -> dict[str, Counter[tuple[str | None, Decimal]]]:
    out: dict[str, Counter[tuple[str | None, Decimal]]] = {}
    for row in history:
        out.setdefault(row.bank_id, Counter())[(row.invoice_id, row.amount)] += 1
    return out
