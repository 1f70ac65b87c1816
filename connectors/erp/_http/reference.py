"""Our idempotency key in the ERP's searchable reference field, and memos cut to fit.

The reference a person sees in the ERP starts with the bank's own transaction id, so
the payment can be traced to its bank line; a hash of the whole idempotency key makes
it unique and is what a retry searches for. The documented short form, for a field of
`length` characters:

    <bank transaction id, last (length - 9) characters> "-" <8 hex of SHA-256(key)>

where the bank transaction id is what follows `<erp>:<account>:` in the key (a clerk's
resolution adds `:review<N>.<M>`), with characters other than letters, digits and
`._/-` written as `.`. Postings made before this form (`AB` + hex of the same hash)
are still found: lookups search both.
"""

from __future__ import annotations

import hashlib
import re

HASH_LEN = 8
_UNSAFE = re.compile(r"[^A-Za-z0-9._/-]")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def bank_part(key: str) -> str:
    """The bank transaction id (and any resolution suffix) inside an idempotency key."""
    parts = key.split(":", 2)
    return _UNSAFE.sub(".", parts[-1])


def reference(key: str, length: int) -> str:
    """The searchable reference of `key` in a field of `length` characters (see module doc)."""
    room = length - HASH_LEN - 1
    if room < 1:
        raise ValueError(f"a reference needs more than {HASH_LEN + 1} characters")
    visible = bank_part(key)[-room:]
    return f"{visible}-{_digest(key)[:HASH_LEN]}"


def legacy_reference(key: str, length: int) -> str:
    """The form used before bank ids were shown: 'AB' + hex of the key's hash."""
    return "AB" + _digest(key)[: length - 2]


def shorten(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut at a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ;,") + "…"


def memo(key: str, evidence: str, limit: int) -> str:
    """A memo: the full bank transaction id first, then the evidence, within `limit`.

    It ends with `[<key>]` whenever that takes at most half the field (the evidence is
    cut instead): the audit reads the key back from there (`_http.posted`).
    """
    tail = f" [{key}]"
    if len(tail) > limit // 2:
        return shorten(f"bank {key.split(':', 2)[-1]}: {evidence}{tail}", limit)
    return shorten(f"bank {key.split(':', 2)[-1]}: {evidence}", limit - len(tail)) + tail
