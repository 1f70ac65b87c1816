"""One way for every statement reader to reject a file whole."""

from __future__ import annotations

from pathlib import Path

from arbridge.domain.errors import BadInputError, SourceLocation

_MAX_VALUE = 80


def reject(
    path: Path,
    message: str,
    *,
    line: int | None = None,
    field: str | None = None,
    value: str | None = None,
) -> BadInputError:
    """Build the error that rejects a whole statement file, naming where it is wrong."""
    if value is not None and len(value) > _MAX_VALUE:
        value = value[: _MAX_VALUE - 3] + "..."
    return BadInputError(
        message, SourceLocation(file=str(path), line=line, field=field, value=value)
    )
