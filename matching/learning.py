"""Payer links learned from history: aliases and bank accounts proposed for an admin to accept.

History is bank lines with the customer their cash was applied to (by people or by the
engine). A payer bank account, or the name as the bank wrote it, is proposed for a
customer when it was seen at least `min_seen` times, always for that one customer, and
is not known already. Nothing here takes effect: the caller shows the proposals for
review and stores the accepted ones as `PayerHints`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from arbridge.domain.records import BankLine
from arbridge.matching.names import NOISE_WORDS, text_words
from arbridge.matching.settings import PayerHints

MIN_SEEN = 2
MIN_ALIAS_WORDS = 1
MIN_ALIAS_LENGTH = 4


class LinkKind(StrEnum):
    """What a proposal links to a customer."""

    ACCOUNT = "account"
    ALIAS = "alias"


@dataclass(frozen=True, slots=True)
class ProposedLink:
    """A bank account or payer name seen for one customer only, and how often."""

    kind: LinkKind
    value: str
    customer_id: str
    seen: int


def propose_links(
    history: Iterable[tuple[BankLine, str]], known: PayerHints, *, min_seen: int = MIN_SEEN
) -> list[ProposedLink]:
    """Aliases and accounts that history ties to exactly one customer, most seen first."""
    accounts: defaultdict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    aliases: defaultdict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    for line, customer_id in history:
        if line.payer_account:
            accounts[_account_key(line.payer_account)][customer_id] += 1
        alias = payer_alias(line)
        if alias:
            aliases[alias][customer_id] += 1
    known_accounts = {_account_key(a) for a in known.accounts}
    known_aliases = {" ".join(text_words(a)) for a in known.aliases}
    out = [
        *_single(LinkKind.ACCOUNT, accounts, known_accounts, min_seen),
        *_single(LinkKind.ALIAS, aliases, known_aliases, min_seen),
    ]
    return sorted(out, key=lambda p: (-p.seen, p.kind, p.value))


def payer_alias(line: BankLine) -> str:
    """The payer's name as the bank wrote it: words of the payer field (else the text), no jargon."""
    words = [w for w in text_words(line.payer_name or line.description) if w not in NOISE_WORDS]
    alias = " ".join(words)
    return alias if len(words) >= MIN_ALIAS_WORDS and len(alias) >= MIN_ALIAS_LENGTH else ""


def _account_key(account: str) -> str:
    return account.replace(" ", "").upper()


def _single(
    kind: LinkKind,
    seen: dict[str, defaultdict[str, int]],
    known: set[str],
    min_seen: int,
) -> Iterable[ProposedLink]:
    for value, customers in seen.items():
        if value in known or len(customers) != 1:
            continue
        [(customer_id, count)] = customers.items()
        if count >= min_seen:
            yield ProposedLink(kind, value, customer_id, count)
