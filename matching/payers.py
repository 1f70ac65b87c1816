"""Who paid: learned bank accounts and aliases first, then fuzzy company names.

Names are scored by `name_score` (word by word, words common in the customer
list, optional words and cut-off words weighing little, extra distinctive
words counting against). A name is
accepted only when it scores above a threshold and exactly one customer fits:
clearly ahead of the next best, or the most specific of close names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from arbridge.domain.records import BankLine, Customer
from arbridge.matching.name_score import Scored, name_of, pick, score
from arbridge.matching.names import (
    ABBREVIATIONS,
    NOISE_WORDS,
    index_keys,
    legal_forms,
    name_words,
    text_words,
)
from arbridge.matching.rarity import Rarity
from arbridge.matching.settings import MatchSettings, PayerHints

MAX_POSTING = 2000
MAX_CANDIDATES = 40
RANK_CACHE = 100_000
MIN_WORD = 2


@dataclass(frozen=True, slots=True)
class PayerMatch:
    """A customer recognised as the payer, how, and how sure (0-1)."""

    customer_id: str
    score: float
    how: str


class PayerNames:
    """Customers indexed by name-word keys; depends on the customers only, so it can be kept."""

    def __init__(self, customers: Mapping[str, Customer]) -> None:
        self.names = [name_of(c) for c in customers.values() if name_words(c.name)]
        self.by_id = {name.customer_id: name for name in self.names}
        self.rarity = Rarity(name.words for name in self.names)
        self.keys: dict[str, list[int]] = {}
        self.pairs: dict[str, list[int]] = {}
        self.single: dict[str, list[int]] = {}
        for pos, name in enumerate(self.names):
            for key in {k for w in name.words for k in index_keys(w)}:
                self.keys.setdefault(key, []).append(pos)
            for key in _pair_keys(name.words, index_keys):
                self.pairs.setdefault(key, []).append(pos)
            if len(name.words) == 1:
                for key in index_keys(name.words[0]):
                    self.single.setdefault(key, []).append(pos)


class PayerIndex:
    """Customers indexed by name-word keys (`PayerNames`), plus what the caller learned."""

    def __init__(
        self,
        customers: Mapping[str, Customer],
        hints: PayerHints,
        names: PayerNames | None = None,
    ) -> None:
        known = names if names is not None else PayerNames(customers)
        self._names = known.names
        self._by_id = known.by_id
        self._rarity = known.rarity
        self._keys = known.keys
        self._pairs = known.pairs
        self._single = known.single
        self._ranked: dict[tuple[str, ...], list[Scored]] = {}  # one batch's: bounded memory
        self._accounts = {k.replace(" ", "").upper(): v for k, v in hints.accounts.items()}
        self._aliases: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        for alias, customer_id in hints.aliases.items():
            words = text_words(alias)
            if words:
                self._aliases.setdefault(words[0], []).append((words, customer_id, alias))

    def identify(self, line: BankLine, settings: MatchSettings) -> PayerMatch | None:
        """The customer who paid `line`, or None when no name is clearly recognised."""
        if line.payer_account:
            known = self._accounts.get(line.payer_account.replace(" ", "").upper())
            if known is not None:
                return PayerMatch(known, 1.0, f"bank account {line.payer_account} linked before")
        for text in _texts(line):
            found = self._by_name(text_words(text), settings, legal_forms(text))
            if found is not None:
                return found
        return None

    def _by_name(
        self, words: Sequence[str], settings: MatchSettings, forms: frozenset[str]
    ) -> PayerMatch | None:
        alias = self._alias(words)
        if alias is not None:
            return alias
        picked = pick(self.rank(words), settings.name_threshold, settings.name_margin, forms)
        if picked is None:
            return None
        best, close = picked
        how = f"name matches {best.relaxed:.0%}"
        if best.relaxed > best.score:
            how += " (a word such as Group left out)"
        if close > 1:
            how += f", the most specific of {close} similar names"
        return PayerMatch(best.name.customer_id, best.relaxed, how)

    def name_score(self, line: BankLine, customer_id: str) -> float:
        """How well the line's payer text matches one given customer's name (0-1)."""
        name = self._by_id.get(customer_id)
        if name is None:
            return 0.0
        return score(name, text_words(line.payer_name or line.description), self._rarity)[1]

    def _alias(self, words: Sequence[str]) -> PayerMatch | None:
        for start, word in enumerate(words):
            for alias, customer_id, given in self._aliases.get(word, ()):
                if tuple(words[start : start + len(alias)]) == alias:
                    return PayerMatch(customer_id, 1.0, f"alias '{given}' learned before")
        return None

    def rank(self, words: Sequence[str]) -> list[Scored]:
        """Candidate customers for the words, best first (ties by customer id)."""
        words = tuple(words)
        cached = self._ranked.get(words)
        if cached is not None:
            return cached
        usable = [w for w in words if len(w) >= MIN_WORD and w not in NOISE_WORDS]
        votes: Counter[int] = Counter()
        for key in _pair_keys(usable, _text_keys):
            votes.update(self._pairs.get(key, ()))
        for word in usable:
            for key in _text_keys(word):
                votes.update(self._single.get(key, ()))
        if not votes:
            for word in dict.fromkeys(usable):
                for key in _text_keys(word):
                    posting = self._keys.get(key, ())
                    if len(posting) <= MAX_POSTING:
                        votes.update(posting)
        scored = [
            Scored(*score(self._names[p], words, self._rarity), self._names[p])
            for p, _ in votes.most_common(MAX_CANDIDATES)
        ]
        scored.sort(key=lambda item: (-item.score, item.name.customer_id))
        ranked = [item for item in scored if item.relaxed > 0]
        if len(self._ranked) < RANK_CACHE:
            self._ranked[words] = ranked
        return ranked


@lru_cache(maxsize=200_000)
def _text_keys(word: str) -> tuple[str, ...]:
    """Index keys of a word seen in bank text, its usual abbreviation expanded."""
    return tuple(sorted({*index_keys(word), *index_keys(ABBREVIATIONS.get(word, word))}))


def _pair_keys(words: Sequence[str], keys: Callable[[str], tuple[str, ...]]) -> set[str]:
    """Keys of each word with the next one or the one after (a dropped middle word)."""
    out: set[str] = set()
    for i, first in enumerate(words):
        for second in words[i + 1 : i + 3]:
            out.update(f"{a}|{b}" for a in keys(first) for b in keys(second))
    return out


def _texts(line: BankLine) -> tuple[str, ...]:
    """Where the payer's name may be: the bank's payer field first, then the free text."""
    if line.payer_name and line.payer_name != line.description:
        return (line.payer_name, line.description)
    return (line.description,)
