"""The vocabulary of arbridge: money, records and errors. No I/O happens here."""

from domain.errors import ArbridgeError, BadInputError, ConfigError, ConfigProblem, SourceLocation
from domain.money import as_money, format_money, parse_money
from domain.records import (
    Allocation,
    Application,
    BankLine,
    Customer,
    Invoice,
    Proposal,
    ProposalOutcome,
    Suggestion,
)
from domain.review import ReviewReason, ReviewStatus

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
