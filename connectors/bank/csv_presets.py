"""Named CSV layouts of the exports banks and payment providers give (`csv: {preset: NAME}`).

Each preset is a CsvProfile plus the header it expects (for the README and for
`arbridge bank sniff`). A file fits a preset when its header row, after the
preset's preamble lines, holds every column the preset reads; a headerless preset
fits when its first line looks like the bank's (a signature). `sniff_preset` names the
preset that fits a file.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

from arbridge.connectors.bank._csv_preset_table import PRESETS, CsvPreset
from arbridge.connectors.bank.csv_reader import CsvProfile

__all__ = ["PRESETS", "CsvPreset", "preset_profile", "sniff_preset"]

_HEAD_BYTES = 8192
_SAMPLE_ROWS = 20


def preset_profile(name: str) -> CsvProfile:
    """The profile of a named preset.

    Raises:
        KeyError: no preset of that name (the message lists the known ones).
    """
    try:
        return PRESETS[name].profile
    except KeyError:
        raise KeyError(f"no CSV preset {name!r}; known: {', '.join(sorted(PRESETS))}") from None


def sniff_preset(path: Path, data: bytes | None = None) -> CsvPreset | None:
    """The preset whose header (or first line) fits the file.

    Where several fit (PayPal's US and UK downloads share a header), those whose
    date format reads the first rows' dates stay, and the first of them is taken:
    a file whose days are all 12 or less reads as the first (set the preset then).
    """
    head = (path.read_bytes() if data is None else data)[:_HEAD_BYTES]
    fits = [p for p in PRESETS.values() if _fits(p, head)]
    if len(fits) > 1:
        fits = [p for p in fits if _dates_read(p, head)]
    return fits[0] if fits else None


def _dates_read(preset: CsvPreset, head: bytes) -> bool:
    profile = preset.profile
    text = head.decode(profile.encoding, errors="replace").lstrip("\ufeff")
    lines = text.splitlines()[profile.skip_lines : profile.skip_lines + _SAMPLE_ROWS]
    names = list(profile.columns) or None
    rows = csv.DictReader(
        io.StringIO("\n".join(lines)), fieldnames=names, delimiter=profile.delimiter
    )
    try:
        for row in rows:
            datetime.strptime((row.get(profile.date_column) or "").strip(), profile.date_format)  # noqa: DTZ007 - a date
    except ValueError:
        return False
    return True


def _fits(preset: CsvPreset, head: bytes) -> bool:
    profile = preset.profile
    text = head.decode(profile.encoding, errors="replace").lstrip("\ufeff")
    lines = text.splitlines()
    if preset.signature is not None:
        return bool(lines) and preset.signature.match(lines[0]) is not None
    lines = lines[profile.skip_lines :]
    if not lines:
        return False
    row = next(csv.reader(io.StringIO(lines[0]), delimiter=profile.delimiter), [])
    names = {cell.strip() for cell in row}
    return all(column in names for column in profile.required_columns())
