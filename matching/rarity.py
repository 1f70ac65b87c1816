"""How distinctive each word of a customer list is, by how many customers' names hold it.

A word in few names (`Sterling`, `Golden`) tells customers apart and weighs
fully; a word in many names (`Supply`, `Services`, `Industrial`) weighs little.
Weights are relative to the list: a word in a third of 12 names counts as
little as one in 1,800 of 50,000. Words no customer's name holds (a city, a
word of a stranger's name) count as distinctive where they are weighed.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Iterable

from arbridge.matching.names import ABBREVIATIONS

MIN_CUT = 4
"""Letters a word cut off by the bank's field length keeps before it is read as a list word."""
FLOOR = 0.25
"""Least weight of a word (relative to a word only one name holds)."""


class Rarity:
    """Document frequency of name words over one customer list, as weights 0.25-1."""

    __slots__ = ("_sorted", "_weights")

    def __init__(self, names: Iterable[tuple[str, ...]]) -> None:
        df: Counter[str] = Counter()
        count = 0
        for words in names:
            count += 1
            df.update(set(words))
        self._weights = {word: _weight(n, count) for word, n in df.items()}
        self._sorted = sorted(self._weights)

    def of(self, word: str) -> float:
        """The word's weight: 1 for a word one name (or none) holds, less the more hold it."""
        return self._weights.get(word, 1.0)

    def known(self, word: str) -> bool:
        """Whether some customer's name holds the word."""
        return word in self._weights

    def word_for(self, word: str, *, cut: bool = False) -> str | None:
        """The list word a text word stands for, else None.

        Itself, its abbreviation spelt out (INTL), or, `cut` (the text's last word,
        where a bank field ends), the first list word it begins (INTERNATIONA).
        """
        if word in self._weights:
            return word
        spelt = ABBREVIATIONS.get(word)
        if spelt in self._weights:
            return spelt
        if cut and len(word) >= MIN_CUT:
            at = bisect.bisect_left(self._sorted, word)
            if at < len(self._sorted) and self._sorted[at].startswith(word):
                return self._sorted[at]
        return None

    @classmethod
    def flat(cls) -> Rarity:
        """Every word weighs the same (length alone counts)."""
        return cls(())


def _weight(holders: int, names: int) -> float:
    """Inverse document frequency, scaled so one holder of many names is 1."""
    if holders <= 1 or names <= 1:
        return 1.0
    return max(FLOOR, math.log(names / holders) / math.log(names))
