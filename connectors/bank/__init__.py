"""Bank statement sources: one module per format, plus the folder source.

Names are imported from their modules when first used (PEP 562), so `arbridge bank
read` of one OFX file does not pay for the ZIP, CSV-preset and folder modules.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from arbridge.connectors.bank._notes import Note, collect_notes, strict_notes
    from arbridge.connectors.bank.containers import (
        ContainerLimits,
        is_container,
        open_container,
    )
    from arbridge.connectors.bank.csv_presets import (
        PRESETS,
        CsvPreset,
        preset_profile,
        sniff_preset,
    )
    from arbridge.connectors.bank.csv_reader import AmountLayout, CsvProfile, read_csv_statement
    from arbridge.connectors.bank.csv_sniff import sniff_csv_profile
    from arbridge.connectors.bank.detect import StatementFormat, detect_format
    from arbridge.connectors.bank.folder import FolderBankSource
    from arbridge.connectors.bank.reader import read_statement

_MODULES = {
    "_notes": ("Note", "collect_notes", "strict_notes"),
    "containers": ("ContainerLimits", "is_container", "open_container"),
    "csv_presets": ("PRESETS", "CsvPreset", "preset_profile", "sniff_preset"),
    "csv_reader": ("AmountLayout", "CsvProfile", "read_csv_statement"),
    "csv_sniff": ("sniff_csv_profile",),
    "detect": ("StatementFormat", "detect_format"),
    "folder": ("FolderBankSource",),
    "reader": ("read_statement",),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}

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


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
