"""Bank statement sources: one module per format, plus the folder source."""

from arbridge.connectors.bank._notes import Note, collect_notes, strict_notes
from arbridge.connectors.bank.containers import ContainerLimits, is_container, open_container
from arbridge.connectors.bank.csv_presets import PRESETS, CsvPreset, preset_profile, sniff_preset
from arbridge.connectors.bank.csv_reader import AmountLayout, CsvProfile, read_csv_statement
from arbridge.connectors.bank.csv_sniff import sniff_csv_profile
from arbridge.connectors.bank.detect import StatementFormat, detect_format
from arbridge.connectors.bank.folder import FolderBankSource
from arbridge.connectors.bank.reader import read_statement

__all__ = [
    "PRESETS",
    "AmountLayout",
    "ContainerLimits",
    "CsvPreset",
    "CsvProfile",
    "FolderBankSource",
    "Note",
    "StatementFormat",
    "collect_notes",
    "detect_format",
    "is_container",
    "open_container",
    "preset_profile",
    "read_csv_statement",
    "read_statement",
    "sniff_csv_profile",
    "sniff_preset",
    "strict_notes",
]
