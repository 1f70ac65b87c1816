"""What one cycle did, counted as it goes."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

EXAMPLES = 3
"""Messages shown per kind of problem in the printed summary (all are kept in `errors`)."""


@dataclass(slots=True)
class RunSummary:
    """Counters and errors of one cycle; `render()` is the line printed for people."""

    run_id: str
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # the kind of each error, in step
    seconds: dict[str, float] = field(default_factory=dict)  # wall time spent per phase

    @contextmanager
    def timed(self, phase: str) -> Iterator[None]:
        """Add the wall time of the `with` block to `phase` (phases may repeat and nest)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - started
            self.seconds[phase] = self.seconds.get(phase, 0.0) + spent

    def add(self, key: str, amount: int = 1) -> None:
        """Increase a counter."""
        self.counts[key] += amount

    def error(self, message: str, kind: str = "problem") -> None:
        """Remember a problem that did not stop the cycle, and what kind of problem it is."""
        self.errors.append(message)
        self.kinds.append(kind)

    @property
    def status(self) -> str:
        """`ok` when nothing went wrong, else `partial`."""
        return "partial" if self.errors else "ok"

    def render(self) -> str:
        """A short human summary of the cycle."""
        c = self.counts
        text = (
            f"cycle {self.run_id[:8]}: files {c['files_imported']} imported, {c['files_quarantined']} quarantined; "
            f"lines {c['lines_new']} new ({c['lines_duplicate']} already known); "
            f"{c['applied']} applied, {c['queued']} queued for review, {c['ignored']} not customer cash; "
            f"posted {c['posted']} to the ERP ({c['post_failed']} failed)"
        )
        if c["in_erp"]:
            text += f"; {c['in_erp']} line(s) already recorded in the ERP by people"
        quiet = c["misapplied_below_confidence"] + c["unapplied_below_confidence"]
        if quiet:
            text += f"; {quiet} finding(s) in the ERP below misapplied.min_confidence (not queued)"
        if self.errors:
            text += f"; {len(self.errors)} problem(s): " + self._problems()
        return text

    def _problems(self) -> str:
        """Counts per kind, most first, each with its first `EXAMPLES` messages."""
        by_kind: dict[str, list[str]] = {}
        for kind, message in zip(self.kinds, self.errors, strict=True):
            by_kind.setdefault(kind, []).append(message)
        parts = []
        for kind, messages in sorted(by_kind.items(), key=lambda kv: -len(kv[1])):
            shown = " | ".join(messages[:EXAMPLES])
            more = f" | +{len(messages) - EXAMPLES} more" if len(messages) > EXAMPLES else ""
            parts.append(f"{len(messages)} {kind}: {shown}{more}")
        return "; ".join(parts)
