"""Deposits and retainage held per order, and what needs a person (see `review.deposit_items`)."""

from __future__ import annotations

from arbridge.review.deposit_items import ACTIONABLE, held_on, queue_actionable

__all__ = ["ACTIONABLE", "held_on", "queue_actionable"]
