"""HTTP status and vendor error bodies -> what the caller should do, by table."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from arbridge.connectors.errors import (
    ConnectorError,
    PermanentConnectorError,
    RecordRejectedError,
    TransientConnectorError,
)


class Verdict(StrEnum):
    """The three things a caller can do about a failed call."""

    TRANSIENT = "transient"
    PERMANENT = "permanent"
    REJECTED = "rejected"


STATUS_VERDICTS: dict[int, Verdict] = {
    400: Verdict.REJECTED,
    401: Verdict.PERMANENT,
    403: Verdict.PERMANENT,
    404: Verdict.REJECTED,
    408: Verdict.TRANSIENT,
    409: Verdict.REJECTED,
    412: Verdict.REJECTED,
    413: Verdict.PERMANENT,
    417: Verdict.REJECTED,
    422: Verdict.REJECTED,
    429: Verdict.TRANSIENT,
    500: Verdict.TRANSIENT,
    502: Verdict.TRANSIENT,
    503: Verdict.TRANSIENT,
    504: Verdict.TRANSIENT,
}
"""Default meaning of a status; each vendor's mapper refines it with the error code."""


def classify_status(status: int) -> Verdict:
    """The default verdict for an HTTP status (unknown 4xx: rejected, 5xx: transient)."""
    if status in STATUS_VERDICTS:
        return STATUS_VERDICTS[status]
    return Verdict.TRANSIENT if status >= 500 else Verdict.REJECTED  # noqa: PLR2004


_ERRORS: dict[Verdict, type[ConnectorError]] = {
    Verdict.TRANSIENT: TransientConnectorError,
    Verdict.PERMANENT: PermanentConnectorError,
    Verdict.REJECTED: RecordRejectedError,
}


@dataclass(frozen=True, slots=True)
class HttpFailure:
    """A vendor's failed answer, reduced to what we act on and can safely show.

    `message` is the vendor's own error text (never a request header or body);
    `retry_after` is how long the vendor asked us to wait, if it said.
    """

    verdict: Verdict
    status: int | None
    code: str
    message: str
    retry_after: float | None = None

    def to_error(self, connector: str) -> ConnectorError:
        """The connector error the caller sees."""
        status = f"HTTP {self.status} " if self.status is not None else ""
        code = f"{self.code}: " if self.code else ""
        return _ERRORS[self.verdict](connector, f"{status}{code}{self.message}".strip())
