"""Company names as banks write them: normalised words, consonant skeletons, legal suffixes gone.

Payment-rail words (CCD, PPD, CTX, ACH CREDIT, WIRE, PAYMENT, REMIT ADV) are noise,
never part of a name; Group, Holdings and the like are optional name words.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

LEGAL_WORDS = frozenset(
    [
        "INC",
        "INCORPORATED",
        "LLC",
        "LLP",
        "LP",
        "LTD",
        "LIMITED",
        "CORP",
        "CORPORATION",
        "CO",
        "COMPANY",
        "PLC",
        "GMBH",
        "AG",
        "SA",
        "SAS",
        "BV",
        "NV",
        "PTY",
        "SONS",
        "AND",
        "THE",
        "OF",
    ]
)
NOISE_WORDS = frozenset(
    [
        "PAYMENT",
        "PAYMENTS",
        "PMT",
        "PYMT",
        "PAY",
        "ACH",
        "CREDIT",
        "CR",
        "WIRE",
        "WIRES",
        "TRF",
        "XFER",
        "TRANSFER",
        "REMIT",
        "REMITTANCE",
        "DEPOSIT",
        "DEP",
        "INV",
        "INVS",
        "INVOICE",
        "INVOICES",
        "REF",
        "RE",
        "FOR",
        "FROM",
        "BY",
        "ORIG",
        "ORIGINATOR",
        "ID",
        "NAME",
        "ENTRY",
        "DESCR",
        "CCD",
        "PPD",
        "CTX",
        "SEC",
        "IND",
        "BATCH",
        "TRN",
        "FED",
        "MEMO",
        "BILL",
        "BILLS",
        "PO",
        "NO",
        "NR",
        "NUM",
        "ADV",
        "WEB",
        "TEL",
        "ADVICE",
        "RMR",
    ]
)
OPTIONAL_WORDS = frozenset(["GROUP", "GRP", "HOLDINGS", "HOLDING", "HLDGS", "BROTHERS", "BROS"])
"""Words of a name that banks often drop (Company and Sons are not name words at all)."""
ABBREVIATIONS = {
    "MFG": "MANUFACTURING",
    "MFR": "MANUFACTURING",
    "INTL": "INTERNATIONAL",
    "NATL": "NATIONAL",
    "SVC": "SERVICE",
    "SVCS": "SERVICES",
    "SRVCS": "SERVICES",
    "CTR": "CENTER",
    "DIST": "DISTRIBUTION",
    "DISTR": "DISTRIBUTORS",
    "ASSOC": "ASSOCIATES",
    "BROS": "BROTHERS",
    "GRP": "GROUP",
    "HLDGS": "HOLDINGS",
    "MGMT": "MANAGEMENT",
    "AMER": "AMERICA",
    "TECH": "TECHNOLOGIES",
    "SYS": "SYSTEMS",
    "ENGR": "ENGINEERING",
    "LABS": "LABORATORIES",
    "PROD": "PRODUCTS",
    "EQUIP": "EQUIPMENT",
    "SUPP": "SUPPLY",
    "IND": "INDUSTRIAL",
    "INDS": "INDUSTRIES",
    "MED": "MEDICAL",
    "ENT": "ENTERPRISES",
    "INTERNATL": "INTERNATIONAL",
    "MKTG": "MARKETING",
}
_WORD = re.compile(r"[A-Z0-9]+")
_INITIAL_DOT = re.compile(r"(?<=\b[A-Z])\.")
_VOWELS = str.maketrans("", "", "AEIOU")


@lru_cache(maxsize=200_000)
def name_words(name: str) -> tuple[str, ...]:
    """The words that identify a company: `Smith & Sons, Inc.` -> ('SMITH',)."""
    return tuple(w for w in _WORD.findall(_plain(name)) if w not in LEGAL_WORDS)


def _plain(text: str) -> str:
    """Upper case, `&` spelt out, apostrophes and the dots of `L.L.C.` dropped."""
    return _INITIAL_DOT.sub("", text.upper().replace("&", " AND ").replace("'", ""))


LEGAL_FORMS = {
    "INC": "INC",
    "INCORPORATED": "INC",
    "LLC": "LLC",
    "LLP": "LLP",
    "LTD": "LTD",
    "LIMITED": "LTD",
    "CORP": "CORP",
    "CORPORATION": "CORP",
    "PLC": "PLC",
    "GMBH": "GMBH",
    "PTY": "PTY",
    "SONS": "SONS",
    "CO": "CO",
    "COMPANY": "CO",
}


@lru_cache(maxsize=200_000)
def legal_forms(text: str) -> frozenset[str]:
    """The legal forms a name or bank text states: `Acme Corporation` -> {'CORP'}."""
    return frozenset(LEGAL_FORMS[w] for w in _WORD.findall(_plain(text)) if w in LEGAL_FORMS)


def text_words(text: str) -> tuple[str, ...]:
    """Words of a bank text that may belong to a payer name (no digits, no banking jargon)."""
    return tuple(
        w
        for w in _WORD.findall(_plain(text))
        if w not in LEGAL_WORDS and w.isalpha()  # words are [A-Z0-9]+: alpha = no digit
    )


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """First letter plus the consonants, doubled letters once: `BRIGHTWATER` -> `BRGHTWTR`."""
    rest = word[1:].translate(_VOWELS)
    out = word[0]
    for ch in rest:
        if ch != out[-1]:
            out += ch
    return out


def _vowels(word: str) -> int:
    """Vowels after the first letter."""
    return len(word) - 1 - len(word[1:].translate(_VOWELS))


MIN_ABBREVIATION = 3
MIN_FUZZY_LENGTH = 5
MIN_FUZZY_SIMILARITY = 0.8
MIN_KEY = 2


def _shortened(name_word: str, seen: str) -> float:
    """Abbreviations, truncation and dropped vowels; 0 when none applies."""
    if ABBREVIATIONS.get(seen) == name_word:
        return 0.95
    if len(seen) < MIN_ABBREVIATION:
        return 0.0
    if name_word.startswith(seen):
        return 0.92
    sk_name, sk_seen = skeleton(name_word), skeleton(seen)
    if sk_seen == sk_name and _vowels(seen) < _vowels(name_word):
        return 0.95  # vowels dropped (BRGHTWTR); FURNITURE is not FRONTIER
    if sk_name.startswith(sk_seen) and seen == seen.translate(_VOWELS):
        return 0.9  # vowels dropped and cut short
    return 0.0


@lru_cache(maxsize=500_000)
def word_score(name_word: str, seen: str) -> float:
    """How well a word in the bank text stands for a word of the customer's name (0-1)."""
    if seen == name_word:
        return 1.0
    score = _shortened(name_word, seen)
    if score or len(seen) < MIN_FUZZY_LENGTH or len(name_word) < MIN_FUZZY_LENGTH:
        return score
    similarity = Levenshtein.normalized_similarity(name_word, seen)
    return similarity if similarity >= MIN_FUZZY_SIMILARITY else 0.0


def index_keys(word: str) -> tuple[str, ...]:
    """Keys under which a name word is indexed, shared with its abbreviations and misspellings."""
    keys = {word[:3], skeleton(word)[:3]}
    return tuple(sorted(k for k in keys if len(k) >= MIN_KEY))
