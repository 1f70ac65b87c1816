"""Posting many applications with shared reads: one look-up and one invoice re-read per chunk.

The vendors count every request against their limits; reading the dedupe keys
and the invoices of a whole chunk in one request each leaves about one request
per application (the write itself).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from arbridge.connectors.base import PostResult
from arbridge.connectors.errors import (
    ConnectorError,
    PermanentConnectorError,
    RecordNotFoundError,
    RecordRejectedError,
    TransientConnectorError,
)
from arbridge.domain.records import Application

Seen = TypeVar("Seen")

UNWELL_AFTER = 5
"""Transient failures in a row after which the ERP counts as down and the batch stops."""


def post_in_chunks(
    applications: Sequence[Application],
    size: int,
    prefetch: Callable[[Sequence[Application]], Seen],
    post: Callable[[Application, Seen], PostResult],
) -> list[PostResult | ConnectorError]:
    """Post in order; a rejection or a transient failure is that application's, the rest goes on.

    Returns:
        One entry per application handled, in order: its result, or its RecordRejectedError
        or TransientConnectorError (try that one again later). The list ends early only
        when the ERP is unusable: after a PermanentConnectorError, or `UNWELL_AFTER`
        transient failures in a row; the last entry is then that error.
    """
    results: list[PostResult | ConnectorError] = []
    in_a_row = 0
    for start in range(0, len(applications), size):
        chunk = applications[start : start + size]
        try:
            seen = prefetch(chunk)
        except PermanentConnectorError as exc:
            return [*results, exc]
        except ConnectorError as exc:  # the shared read failed: every one of the chunk waits
            for _application in chunk:
                results.append(exc)
                in_a_row += 1
                if in_a_row >= UNWELL_AFTER:
                    return results
            continue
        for application in chunk:
            try:
                results.append(post(application, seen))
                in_a_row = 0
            except (RecordRejectedError, RecordNotFoundError) as exc:
                results.append(exc)
                in_a_row = 0
            except TransientConnectorError as exc:
                results.append(exc)
                in_a_row += 1
                if in_a_row >= UNWELL_AFTER:
                    return results
            except ConnectorError as exc:
                return [*results, exc]
    return results
