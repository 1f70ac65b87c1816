"""Settings of the tax system connector and of the tax checks (all optional)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo

from arbridge.config.secrets import SecretField


def _resolve_path(value: Path, info: ValidationInfo) -> Path:
    path = value.expanduser()
    if not path.is_absolute():
        base = (info.context or {}).get("base_dir")
        path = Path(base) / path if base is not None else path
    return path.resolve()


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AvaTaxSettings(_Settings):
    """Avalara AvaTax REST v2 (exemption certificates of one company)."""

    kind: Literal["avatax"]
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    environment: Literal["sandbox", "production"] = Field(
        default="sandbox", description="sandbox-rest.avatax.com or rest.avatax.com."
    )
    account_id: str = Field(min_length=1, description="The AvaTax account id (Basic auth user).")
    license_key: SecretField = Field(description="Secret reference to the license key.")
    company_code: str = Field(default="DEFAULT", min_length=1)
    company_id: int | None = Field(
        default=None, description="Numeric company id; looked up by company_code when absent."
    )


class MemoryTaxSettings(_Settings):
    """A tax system in memory (dry runs): no customers, no certificates until told."""

    kind: Literal["memory"]
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")


TaxSystemSettings = Annotated[AvaTaxSettings | MemoryTaxSettings, Field(discriminator="kind")]


class TaxSettings(_Settings):
    """What the tax checks look at, and where certificate PDFs are dropped."""

    expiry_warning_days: int = Field(
        default=30,
        ge=0,
        le=365,
        description="Certificates expiring this soon become renewal tasks.",
    )
    uploads: Annotated[Path, AfterValidator(_resolve_path)] | None = Field(
        default=None,
        description="Folder holding one folder per customer code; PDFs in them are uploaded "
        "to the tax system and linked to that customer (a person still approves them).",
    )
