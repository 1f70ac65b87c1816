"""The base of every settings model: frozen, and unknown keys are errors."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Settings(BaseModel):
    """Frozen, and keys it does not know are errors (typos must not pass silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
