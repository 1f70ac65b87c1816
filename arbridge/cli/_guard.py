"""Turn the review queue's refusals into one clean CLI error (shared by the review commands)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from arbridge.review import ReviewStateError

_T = TypeVar("_T")


def guard(action: Callable[[], _T]) -> _T:
    """Run `action`; a refusal of the review queue becomes a `click.ClickException`."""
    try:
        return action()
    except ReviewStateError as exc:
        raise click.ClickException(str(exc)) from None
