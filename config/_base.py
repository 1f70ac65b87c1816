"""The base of every settings model: frozen, and unknown keys are errors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationInfo


class Settings(BaseModel):
    """Frozen, and keys it does not know are errors (typos must not pass silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _resolve_path(value: Path, info: ValidationInfo) -> Path:
    path = value.expanduser()
    if not path.is_absolute():
        base = (info.context or {}).get("base_dir")
        path = Path(base) / path if base is not None else path
    return path.resolve()


ResolvedPath = Annotated[Path, AfterValidator(_resolve_path)]
"""A filesystem path; relative ones are taken from the config file's folder."""
