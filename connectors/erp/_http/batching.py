"""Posting many applications with shared reads: one look-up and one invoice re-read per chunk.

The vendors count every request against their limits; reading the dedupe keys
and the invoices of a whole chunk in one request each leaves about one request
per application (the write itself), or one per chunk where the vendor takes a batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from arbridge.connectors.base import PostResult
from arbridge.connectors.errors import (
    ConnectorError,
    PermanentConnectorError,
    RecordNotFoundError,
    TransientConnectorError,
)
from arbridge.domain.records import Application

Seen = TypeVar("Seen")
Outcome = PostResult | ConnectorError
PostMany = Callable[[Sequence[Application], Seen], Sequence[Outcome]]

UNWELL_AFTER = 5
"""Transient failures in a row after which the ERP counts as down and the batch stops."""


def post_in_chunks(
    applications: Sequence[Application],
    size: int,
    prefetch: Callable[[Sequence[Application]], Seen],
    post: Callable[[Application, Seen], PostResult],
    *,
    post_many: PostMany[Seen] | None = None,
) -> list[Outcome]:
    """Post in order; a rejection or a transient failure is that application's, the rest goes on.

    `post_many`, where given, writes a whole chunk in one call (a vendor batch) and
    answers one outcome per application; else each application is posted by `post`.

    Returns:
        One entry per application handled, in order: its result, or its RecordRejectedError
        or TransientConnectorError (try that one again later). The list ends early only
        when the ERP is unusable: after a PermanentConnectorError, or `UNWELL_AFTER`
        transient failures in a row; the last entry is then that error.
    """
    results: list[Outcome] = []
    failures = FailureRun()
    for outcome in _outcomes(applications, size, prefetch, post, post_many):
        results.append(outcome)
        if isinstance(outcome, PermanentConnectorError) or failures.unwell(outcome):
            return results
    return results


class FailureRun:
    """Counts transient failures in a row; one failed call shared by a chunk counts once."""

    def __init__(self) -> None:
        self.in_a_row = 0
        self._last: object = None

    def unwell(self, outcome: object) -> bool:
        """Record an outcome; True once `UNWELL_AFTER` calls in a row have failed."""
        failed = isinstance(outcome, TransientConnectorError) and not isinstance(
            outcome, RecordNotFoundError
        )
        if not failed:
            self.in_a_row, self._last = 0, None
        elif outcome is not self._last:
            self.in_a_row, self._last = self.in_a_row + 1, outcome
        return self.in_a_row >= UNWELL_AFTER


def _outcomes(
    applications: Sequence[Application],
    size: int,
    prefetch: Callable[[Sequence[Application]], Seen],
    post: Callable[[Application, Seen], PostResult],
    post_many: PostMany[Seen] | None,
) -> Iterator[Outcome]:
    """One outcome per application, lazily: the caller stops reading when the ERP is down."""
    for start in range(0, len(applications), size):
        chunk = applications[start : start + size]
        try:
            seen = prefetch(chunk)
        except PermanentConnectorError as exc:
            yield exc
            return
        except ConnectorError as exc:  # the shared read failed: every one of the chunk waits
            yield from [exc] * len(chunk)
            continue
        if post_many is not None:
            yield from post_many(chunk, seen)
            continue
        for application in chunk:
            try:
                yield post(application, seen)
            except ConnectorError as exc:
                yield exc
