"""Everything one decision step reads: indexes, ledger, settings."""

from __future__ import annotations

from dataclasses import dataclass

from matching.ledger import Ledger
from matching.payers import PayerIndex
from matching.references import ReferenceIndex
from matching.settings import MatchSettings, PayerHints


@dataclass(frozen=True, slots=True)
class Books:
    """The indexes and running ledger of one batch."""

    ledger: Ledger
    refs: ReferenceIndex
    payers: PayerIndex
    settings: MatchSettings
    hints: PayerHints
