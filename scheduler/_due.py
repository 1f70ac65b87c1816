"""Per-connector pull schedules: is a connector due this cycle?"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from apscheduler.triggers.base import BaseTrigger

from arbridge.store import Store, health


def is_due(store: Store, name: str, triggers: Mapping[str, BaseTrigger], now: datetime) -> bool:
    """True when the connector has no schedule of its own, was never tried, or its time came."""
    trigger = triggers.get(name)
    if trigger is None:
        return True
    with store.transaction() as session:
        last = health.last_attempt(session, name)
    if last is None:
        return True
    next_time = trigger.get_next_fire_time(last, last)
    return next_time is None or next_time <= now
