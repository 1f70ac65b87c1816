"""Settings of the checks of payments people recorded in the ERP (`misapplied:` in the YAML)."""

from __future__ import annotations

from pydantic import Field

from arbridge.config._base import Settings as _Settings


class MisappliedSettings(_Settings):
    """How sure a finding about a recorded payment must be before it is queued for a person."""

    min_confidence: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Findings (misapplications, unapplied cash to apply) below this confidence "
        "are counted in the cycle summary and metrics but not queued.",
    )
