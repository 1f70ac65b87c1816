"""The write-off limit: set in YAML, changed by an admin on the web page, audited."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import structlog

from arbridge.review.queue import ReviewStateError
from arbridge.store import Store
from arbridge.store.settings import get_setting, put_setting

WRITE_OFF_LIMIT = "review.write_off_limit"
_log = structlog.get_logger("arbridge.review")


@dataclass(frozen=True, slots=True)
class WriteOffPolicy:
    """How much of a short payment a clerk may write off per invoice, and the codes to name."""

    limit: Decimal = Decimal("0.00")
    reasons: tuple[str, ...] = ()


class Limits:
    """The YAML's policy, with what an admin changed since laid over it."""

    def __init__(
        self,
        store: Store,
        configured: WriteOffPolicy,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store, self.configured, self._clock = store, configured, clock

    def write_off(self) -> WriteOffPolicy:
        """The policy in force now."""
        with self._store.transaction() as session:
            stored = get_setting(session, WRITE_OFF_LIMIT)
        if stored is None:
            return self.configured
        return replace(self.configured, limit=Decimal(stored))

    def set_write_off_limit(self, text: str, *, actor: str) -> Decimal:
        """Change the limit (admins only: the caller checks the role); logged with before/after.

        Raises:
            ReviewStateError: not a non-negative amount with at most two decimals.
        """
        try:
            limit = Decimal(text.strip())
        except InvalidOperation:
            raise ReviewStateError(f"{text!r} is not an amount") from None
        if not limit.is_finite() or limit < 0 or limit != limit.quantize(Decimal("0.01")):
            raise ReviewStateError(f"{text!r}: the limit is an amount of 0 or more, in cents")
        limit = limit.quantize(Decimal("0.01"))
        with self._store.transaction() as session:
            before = put_setting(session, WRITE_OFF_LIMIT, str(limit), by=actor, now=self._clock())
        _log.info(
            "limit_changed",
            key=WRITE_OFF_LIMIT,
            actor=actor,
            before=json.dumps(before),
            after=str(limit),
        )
        return limit
