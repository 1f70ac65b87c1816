"""Everything one decision step reads: indexes, ledger, settings."""

from __future__ import annotations

from dataclasses import dataclass

from arbridge.matching.ledger import Ledger
from arbridge.matching.payers import PayerIndex
from arbridge.matching.references import ReferenceIndex
from arbridge.matching.settings import MatchSettings, PayerHints


@dataclass(frozen=True, slots=True)
class Books:
    """The indexes and running ledger of one batch."""

    ledger: Ledger
    refs: ReferenceIndex
    payers: PayerIndex
    settings: MatchSettings
    hints: PayerHints
