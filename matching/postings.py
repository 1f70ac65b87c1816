"""A key -> ids index that stores one id as a plain string, several as a list.

Most keys of an invoice index (numbers, amounts) name a single invoice; keeping
that one id without a list spares a million small objects (and the garbage
collector's passes over them) on large books.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class Postings(Generic[K]):
    """Ids under each key, in the order added, each id once per key."""

    __slots__ = ("_many", "_one")

    def __init__(self) -> None:
        self._one: dict[K, str] = {}
        self._many: dict[K, dict[str, None]] = {}  # an ordered set: membership in O(1)

    def add(self, key: K, item: str) -> None:
        """File `item` under `key` (again adding an id already there does nothing)."""
        first = self._one.setdefault(key, item)
        if first == item:
            return
        self._many.setdefault(key, {})[item] = None

    def discard(self, key: K, item: str) -> None:
        """Take `item` from under `key` (nothing if it is not there); the others keep their order."""
        more = self._many.get(key)
        if self._one.get(key) == item:
            if more:
                self._one[key] = next(iter(more))
                del more[self._one[key]]
            else:
                del self._one[key]
        elif more is not None:
            more.pop(item, None)
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
