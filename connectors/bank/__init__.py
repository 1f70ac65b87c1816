"""Bank statement sources: one module per format, plus the folder source."""

from connectors.bank.csv_reader import AmountLayout, CsvProfile, read_csv_statement
from connectors.bank.detect import StatementFormat, detect_format
from connectors.bank.folder import FolderBankSource

__all__ = [
    "AmountLayout",
    "CsvProfile",
    "FolderBankSource",
    "StatementFormat",
    "detect_format",
    "read_csv_statement",
]
