"""The cash-application engine: pure functions from bank lines and invoices to proposals."""

from matching.engine import MatchContext, MatchSettings, match_lines
from matching.references import extract_tokens

__all__ = ["MatchContext", "MatchSettings", "extract_tokens", "match_lines"]
