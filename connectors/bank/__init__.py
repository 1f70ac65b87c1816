"""Bank statement sources: one module per format, plus the folder source."""

from arbridge.connectors.bank.csv_reader import AmountLayout, CsvProfile, read_csv_statement
from arbridge.connectors.bank.csv_sniff import sniff_csv_profile
from arbridge.connectors.bank.detect import StatementFormat, detect_format
from arbridge.connectors.bank.folder import FolderBankSource
from arbridge.connectors.bank.reader import read_statement

__all__ = [
    "AmountLayout",
    "CsvProfile",
    "FolderBankSource",
    "StatementFormat",
    "detect_format",
    "read_csv_statement",
    "read_statement",
    "sniff_csv_profile",
]
