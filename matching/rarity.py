"""How distinctive each word of a customer list is, by how many customers' names hold it.

A word in few names (`Sterling`, `Golden`) tells customers apart and weighs
fully; a word in many names (`Supply`, `Services`, `Industrial`) weighs little.
Weights are relative to the list: a word in a third of 12 names counts as
little as one in 1,800 of 50,000. Words no customer's name holds (a city, a
word of a stranger's name) count as distinctive where they are weighed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

FLOOR = 0.25
"""Least weight of a word (relative to a word only one name holds)."""


class Rarity:
    """Document frequency of name words over one customer list, as weights 0.25-1."""

    __slots__ = ("_weights",)

    def __init__(self, names: Iterable[tuple[str, ...]]) -> None:
        df: Counter[str] = Counter()
        count = 0
        for words in names:
            count += 1
            df.update(set(words))
        self._weights = {word: _weight(n, count) for word, n in df.items()}

    def of(self, word: str) -> float:
        """The word's weight: 1 for a word one name (or none) holds, less the more hold it."""
        return self._weights.get(word, 1.0)

    def known(self, word: str) -> bool:
        """Whether some customer's name holds the word."""
        return word in self._weights

    @classmethod
    def flat(cls) -> Rarity:
        """Every word weighs the same (length alone counts)."""
        return cls(())


def _weight(holders: int, names: int) -> float:
    """Inverse document frequency, scaled so one holder of many names is 1."""
    if holders <= 1 or names <= 1:
        return 1.0
    return max(FLOOR, math.log(names / holders) / math.log(names))
