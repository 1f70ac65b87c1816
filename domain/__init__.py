"""The vocabulary of arbridge: money, records and errors. No I/O happens here."""

from arbridge.domain.errors import (
    ArbridgeError,
    BadInputError,
    ConfigError,
    ConfigProblem,
    SourceLocation,
)
from arbridge.domain.money import as_money, format_money, parse_money
from arbridge.domain.records import (
    Allocation,
    Application,
    BankLine,
    Customer,
    Invoice,
    Proposal,
    ProposalOutcome,
    Suggestion,
)
from arbridge.domain.review import ReviewReason, ReviewStatus

__all__ = [
    "Allocation",
    "Application",
    "ArbridgeError",
    "BadInputError",
    "BankLine",
    "ConfigError",
    "ConfigProblem",
    "Customer",
    "Invoice",
    "Proposal",
    "ProposalOutcome",
    "ReviewReason",
    "ReviewStatus",
    "SourceLocation",
    "Suggestion",
    "as_money",
    "format_money",
    "parse_money",
]
