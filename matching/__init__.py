"""The cash-application engine: pure functions from bank lines and invoices to proposals."""

from arbridge.matching.engine import MatchContext, match_lines
from arbridge.matching.references import extract_tokens
from arbridge.matching.settings import CustomerPolicy, MatchSettings, PayerHints

__all__ = [
    "CustomerPolicy",
    "MatchContext",
    "MatchSettings",
    "PayerHints",
    "extract_tokens",
    "match_lines",
]
