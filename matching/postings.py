"""A key -> ids index that stores one id as a plain string, a few as a list, many as a set.

Most keys of an invoice index (numbers, amounts) name a single invoice; keeping
that one id without a list spares a million small objects (and the garbage
collector's passes over them) on large books. A few ids under a key (amounts shared by
chance) are a short list; thousands (every invoice open at 0.00) an ordered set, whose
membership test keeps adding them linear.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

_SHORT = 16
"""Ids beyond the first kept in a list up to this many, then in an ordered set."""


class Postings(Generic[K]):
    """Ids under each key, in the order added, each id once per key."""

    __slots__ = ("_many", "_one")

    def __init__(self) -> None:
        self._one: dict[K, str] = {}
        self._many: dict[K, list[str] | dict[str, None]] = {}

    def add(self, key: K, item: str) -> None:
        """File `item` under `key` (again adding an id already there does nothing)."""
        first = self._one.setdefault(key, item)
        if first == item:
            return
        more = self._many.get(key)
        if more is None:
            self._many[key] = [item]
        elif isinstance(more, dict):
            more[item] = None
        elif item not in more:
            more.append(item)
            if len(more) > _SHORT:
                self._many[key] = dict.fromkeys(more)

    def discard(self, key: K, item: str) -> None:
        """Take `item` from under `key` (nothing if it is not there); the others keep their order."""
        more = self._many.get(key)
        if self._one.get(key) == item:
            if more:
                self._one[key] = next(iter(more))
                _drop(more, self._one[key])
            else:
                del self._one[key]
        elif more is not None:
            _drop(more, item)
        if more is not None and not more:
            del self._many[key]

    def get(self, key: K) -> tuple[str, ...]:
        """The ids under `key`, first added first; empty when none."""
        first = self._one.get(key)
        if first is None:
            return ()
        more = self._many.get(key)
        return (first, *more) if more else (first,)

    def __contains__(self, key: object) -> bool:
        return key in self._one


def _drop(more: list[str] | dict[str, None], item: str) -> None:
    if isinstance(more, dict):
        more.pop(item, None)
    elif item in more:
        more.remove(item)
