"""How well the words of a bank text stand for one customer's name (0-1).

Each word of the name is scored, in order, against the best later word of the
text (exact, abbreviated, truncated, vowels dropped, misspelt; rapidfuzz's
Levenshtein for misspellings), weighted by its length times its rarity in the
customer list (`rarity`): a distinctive word weighs fully, `Supply` little.
Words a 32-35 character bank field would have cut off do not count against a
name; optional words banks drop (Group, Holdings) count little. A distinctive
word of the text between the words that matched, or right beside them when
another customer's name holds it, counts against the name: "STERLING GOLDEN
ROOFING" is not "Sterling Roofing".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from arbridge.domain.records import Customer
from arbridge.matching.names import (
    NOISE_WORDS,
    OPTIONAL_WORDS,
    legal_forms,
    name_words,
    word_score,
)
from arbridge.matching.rarity import Rarity

TRUNCATION_START = 28
STRONG_WORD_SCORE = 0.9
STRONG_WORD_LENGTH = 4
MIN_SPAN = 2
MIN_KEPT_WORDS = 2
"""Words of a name that must match before an optional word may be left out (not `Sterling`)."""
FLAT = Rarity.flat()
EXTRA_FLOOR = 0.5
"""Least weight (share of its length) of a word the text has beyond the name: `STERLING SUPPLY
ROOFING` is not plainly Sterling Roofing, however many names hold Supply."""
OPTIONAL_MISSING = 1.5
"""Weight of an optional word (Group, Holdings) the text leaves out, as if it had 1.5 letters."""


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
    matched: frozenset[int]
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


def score(
    name: Name, words: Sequence[str], rarity: Rarity = FLAT
) -> tuple[float, float, float, frozenset[int]]:
    """(score, relaxed score, evidence, text words matched); 0 without one strong word.

    Words weigh their length times their `rarity` across the customer list. A
    name matched by one word alone is weighed by length only: that one word
    being rare does not make the rest of the name optional. The evidence is the
    length of the name matched (times how well each word matched, not by
    rarity), to compare how much of one text two names explain.
    """
    tally = _tally(name, words, rarity)
    if tally is None:
        return 0.0, 0.0, 0.0, frozenset()
    matched = tally.matched
    if len(matched) < MIN_KEPT_WORDS:  # by length alone, and what the text has beside it
        beside = _beside(name, words, matched, rarity)
        strict = tally.evidence / (tally.length + tally.optional_length + beside)
        return strict, strict, tally.evidence, frozenset(matched)
    total = tally.total + _interior(words, matched, rarity) + _beside(name, words, matched, rarity)
    return (
        tally.got / (total + tally.optional),
        tally.got / total,
        tally.evidence,
        frozenset(matched),
    )


@dataclass(slots=True)
class _Tally:
    """Name words weighed (by rarity, and by length alone) and the text words they matched."""

    total: float = 0.0
    got: float = 0.0
    optional: float = 0.0
    length: float = 0.0
    evidence: float = 0.0
    optional_length: float = 0.0
    matched: list[int] = field(default_factory=list)


def _tally(name: Name, words: Sequence[str], rarity: Rarity) -> _Tally | None:
    """Each name word against the best later text word; None without one strong word."""
    tally = _Tally()
    start, strong = 0, False
    for i, word in enumerate(name.words):
        best, at = _best(word, words, start)
        if best == 0.0 and name.cuttable[i] and start >= len(words) - 1:
            continue  # cut off by the bank's field length
        if best == 0.0 and all(name.cuttable[i:]) and tally.got > 0:
            continue
        if best == 0.0 and word in OPTIONAL_WORDS:
            tally.optional += OPTIONAL_MISSING * rarity.of(word)
            tally.optional_length += OPTIONAL_MISSING
            continue
        weight = len(word) * rarity.of(word)
        tally.total += weight
        tally.length += len(word)
        if best > 0:
            tally.got += weight * best
            tally.evidence += len(word) * best
            start = at + 1
            tally.matched.append(at)
            strong = strong or (best >= STRONG_WORD_SCORE and len(word) >= STRONG_WORD_LENGTH)
    return tally if strong and tally.total else None


def _interior(words: Sequence[str], matched: list[int], rarity: Rarity) -> float:
    """Weight of the distinctive text words between the first and last word that matched."""
    if len(matched) < MIN_SPAN:
        return 0.0
    used = set(matched)
    return sum(
        _extra(words[j], words[j], rarity)
        for j in range(matched[0] + 1, matched[-1])
        if j not in used and words[j] not in NOISE_WORDS
    )


def _beside(name: Name, words: Sequence[str], matched: list[int], rarity: Rarity) -> float:
    """Weight of a word right before or after the matched words that other customers' names hold.

    `GOLDEN STERLING ROOFING` or `STERLING ROOFING GOLDEN` is not plainly
    Sterling Roofing when Golden is a word of the customer list, nor `IRONCLAD DIST
    INTL` Ironclad Distribution when International is, nor `RIVERBEND CONSTRUCTION
    INTERNATIONA` (cut off by the field length) Riverbend Construction West. A word no
    name holds (a city, a bank's note) is not weighed here.
    """
    if not matched:
        return 0.0
    out = 0.0
    for j in (matched[0] - 1, matched[-1] + 1):
        if not 0 <= j < len(words) or words[j] in NOISE_WORDS:
            continue
        listed = rarity.word_for(words[j], cut=j == len(words) - 1)
        if listed is not None and listed not in OPTIONAL_WORDS and listed not in name.words:
            out += _extra(words[j], listed, rarity)
    return out


def _extra(word: str, listed: str, rarity: Rarity) -> float:
    """Weight of a text word the name lacks: a common one less, but never below half its length."""
    return len(word) * max(rarity.of(listed), EXTRA_FLOOR)


def pick(
    ranked: list[Scored], threshold: float, margin: float, forms: frozenset[str] = frozenset()
) -> tuple[Scored, int] | None:
    """The one customer the text names and how many were close, or None when not exactly one.

    A name that fits only with an optional word left out makes the answer ambiguous
    when another name fits as well and the text bears out no more of it. A legal form
    in the text (`forms`, e.g. INC) rules out names of another form, and says the name
    is written in full (nothing left out), where that leaves any name. Among close
    names, the one whose words include every other's, or that explains every text
    word the others explain and more, is taken.
    """
    if not ranked or max(item.relaxed for item in ranked) < threshold:
        return None
    top = ranked[0].score
    close = [item for item in ranked if item.relaxed > top - margin]
    most = max(item.evidence for item in close)
    close = [item for item in close if item.relaxed == item.score or item.evidence >= most]
    if len(close) > 1 and forms:
        close = _by_legal_form(close, forms) or close
    if len(close) > 1 and any(item.relaxed > item.score for item in close):
        return None
    best = _most_specific(close)
    if best is None or best.relaxed < threshold:
        return None
    return best, len(close)


def _by_legal_form(close: list[Scored], forms: frozenset[str]) -> list[Scored]:
    """The names the legal form in the text (`INC`) leaves possible, written in full."""
    return [
        item
        for item in close
        if item.relaxed == item.score and (not item.name.forms or item.name.forms & forms)
    ]


def _most_specific(close: list[Scored]) -> Scored | None:
    """The one close name that includes every other: by its words, else by the text it explains."""
    widest = max(close, key=lambda item: len(set(item.name.words)))
    words = set(widest.name.words)
    if all(set(other.name.words) < words for other in close if other is not widest):
        return widest
    fullest = max(close, key=lambda item: len(item.matched))
    if all(other.matched < fullest.matched for other in close if other is not fullest):
        return fullest
    return None
