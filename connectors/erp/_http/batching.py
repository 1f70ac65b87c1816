"""Posting many applications with shared reads: one look-up and one invoice re-read per chunk.

The vendors count every request against their limits; reading the dedupe keys
and the invoices of a whole chunk in one request each leaves about one request
per application (the write itself).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from arbridge.connectors.base import PostResult
from arbridge.connectors.errors import ConnectorError, RecordRejectedError
from arbridge.domain.records import Application

Seen = TypeVar("Seen")


def post_in_chunks(
    applications: Sequence[Application],
    size: int,
    prefetch: Callable[[Sequence[Application]], Seen],
    post: Callable[[Application, Seen], PostResult],
) -> list[PostResult | ConnectorError]:
    """Post in order; a rejection is recorded and the rest goes on, any other error stops.

    Returns:
        One entry per application handled, in order: its result or its RecordRejectedError.
        If the ERP became unusable, the list ends early with that (transient or permanent)
        error standing for the first application not posted.
    """
    results: list[PostResult | ConnectorError] = []
    for start in range(0, len(applications), size):
        chunk = applications[start : start + size]
        try:
            seen = prefetch(chunk)
        except ConnectorError as exc:
            return [*results, exc]
        for application in chunk:
            try:
                results.append(post(application, seen))
            except RecordRejectedError as exc:
                results.append(exc)
            except ConnectorError as exc:
                return [*results, exc]
    return results
