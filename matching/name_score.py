"""How well the words of a bank text stand for one customer's name (0-1).

Each word of the name is scored, in order, against the best later word of the
text (exact, abbreviated, truncated, vowels dropped, misspelt), weighted by its
length. Words a 32-35 character bank field would have cut off do not count
against a name; optional words banks drop (Group, Holdings) count little.
A distinctive word of the text between the words that matched counts against
the name: "STERLING GOLDEN ROOFING" is not "Sterling Roofing".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from arbridge.domain.records import Customer
from arbridge.matching.names import (
    NOISE_WORDS,
    OPTIONAL_WORDS,
    legal_forms,
    name_words,
    word_score,
)

TRUNCATION_START = 28
STRONG_WORD_SCORE = 0.9
STRONG_WORD_LENGTH = 4
MIN_SPAN = 2
OPTIONAL_MISSING = 1.5
"""Weight of an optional word (Group, Holdings) the text leaves out; a name word weighs its length."""


@dataclass(frozen=True, slots=True)
class Name:
    """A customer's name as words, and which of them a bank field may have cut off."""

    customer_id: str
    words: tuple[str, ...]
    cuttable: tuple[bool, ...]
    forms: frozenset[str]


class Scored(NamedTuple):
    """A name's score against a text; `relaxed` leaves optional words out altogether."""

    score: float
    relaxed: float
    evidence: float
    name: Name


def name_of(customer: Customer) -> Name:
    """The customer's name words, each marked when it starts past a bank field's length."""
    words = name_words(customer.name)
    upper = customer.name.upper()
    cuttable, pos = [], 0
    for word in words:
        found = upper.find(word, pos)
        pos = found + len(word) if found >= 0 else pos
        cuttable.append(found >= TRUNCATION_START)
    return Name(customer.customer_id, words, tuple(cuttable), legal_forms(customer.name))


def _best(word: str, words: Sequence[str], start: int) -> tuple[float, int]:
    best, at = 0.0, -1
    for j in range(start, len(words)):
        s = word_score(word, words[j])
        if s > best:
            best, at = s, j
            if s == 1.0:
                break
    return best, at


def score(name: Name, words: Sequence[str]) -> tuple[float, float, float]:
    """(score, relaxed score, matched weight) of the name; 0 without one strong word."""
    total = got = optional = 0.0
    start, strong = 0, False
    matched: list[int] = []
    for i, word in enumerate(name.words):
        best, at = _best(word, words, start)
        if best == 0.0 and name.cuttable[i] and start >= len(words) - 1:
            continue  # cut off by the bank's field length
        if best == 0.0 and all(name.cuttable[i:]) and got > 0:
            continue
        if best == 0.0 and word in OPTIONAL_WORDS:
            optional += OPTIONAL_MISSING
            continue
        total += len(word)
        if best > 0:
            got += len(word) * best
            start = at + 1
            matched.append(at)
            strong = strong or (best >= STRONG_WORD_SCORE and len(word) >= STRONG_WORD_LENGTH)
    if not strong or not total:
        return 0.0, 0.0, 0.0
    total += _interior(words, matched)
    return got / (total + optional), got / total, got


def _interior(words: Sequence[str], matched: list[int]) -> float:
    """Weight of the distinctive text words between the first and last word that matched."""
    if len(matched) < MIN_SPAN:
        return 0.0
    used = set(matched)
    return float(
        sum(
            len(words[j])
            for j in range(matched[0] + 1, matched[-1])
            if j not in used and words[j] not in NOISE_WORDS
        )
    )


def pick(
    ranked: list[Scored], threshold: float, margin: float, forms: frozenset[str] = frozenset()
) -> tuple[Scored, int] | None:
    """The one customer the text names and how many were close, or None when not exactly one.

    A name that fits only with an optional word left out makes the answer ambiguous
    when another name fits as well and the text bears out no more of it, unless the
    legal form the text states (`forms`, e.g. LLC) is not that name's.
    """
    if not ranked or ranked[0].score < threshold:
        return None
    top = ranked[0].score
    close = [item for item in ranked if item.relaxed > top - margin]
    most = max(item.evidence for item in close)
    close = [
        item
        for item in close
        if item.relaxed == item.score
        or (
            item.evidence >= most
            and not (forms and item.name.forms and not forms & item.name.forms)
        )
    ]
    if len(close) > 1 and any(item.relaxed > item.score for item in close):
        return None
    best = _most_specific([item.name for item in close])
    if best is None:
        return None
    return next(item for item in close if item.name is best), len(close)


def _most_specific(close: list[Name]) -> Name | None:
    """The one name whose words include those of every other close name, if there is one."""
    widest = max(close, key=lambda name: len(set(name.words)))
    words = set(widest.words)
    if all(set(other.words) < words for other in close if other is not widest):
        return widest
    return None
