"""Find candidate document references in free remittance text."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[A-Z0-9](?:[A-Z0-9_/\-]*[A-Z0-9])?")


def extract_tokens(text: str) -> frozenset[str]:
    """Every word-like token of the text, upper-cased, inner dashes and slashes kept.

    >>> sorted(extract_tokens("Pmt inv-1001, INV-1002."))
    ['INV-1001', 'INV-1002', 'PMT']
    """
    return frozenset(_TOKEN.findall(text.upper()))


def normalise_document_id(value: str) -> str:
    """How document ids are compared: upper-case, surrounding blanks dropped."""
    return value.strip().upper()
