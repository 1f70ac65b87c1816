"""Settings of the receivables reports and guardrails (the `ar:` key; all optional)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from arbridge.config._base import Settings as _Settings
from arbridge.config.secrets import SecretField


class AgingSettings(_Settings):
    """How `ar aging` buckets open items."""

    buckets: tuple[int, ...] = Field(
        default=(30, 60, 90),
        min_length=1,
        description="Upper day limits after `current`: [30, 60, 90] gives 1-30, 31-60, 61-90, over 90.",
    )
    basis: Literal["due_date", "invoice_date"] = Field(
        default="due_date", description="Age items by days past due, or days since invoicing."
    )

    @field_validator("buckets")
    @classmethod
    def _rising(cls, bounds: tuple[int, ...]) -> tuple[int, ...]:
        if any(b < 1 for b in bounds) or list(bounds) != sorted(set(bounds)):
            raise ValueError(f"bucket limits must be whole days >= 1, rising: {list(bounds)}")
        return bounds


class TargetsSettings(_Settings):
    """KPI guardrails: a value above its target is a breach."""

    past_due_share: Decimal = Field(default=Decimal("0.30"), ge=0, le=1)
    past_due_over_20_days_share: Decimal = Field(default=Decimal("0.20"), ge=0, le=1)
    invoices_over_90_days: int = Field(default=0, ge=0)


class StatementSettings(_Settings):
    """What every monthly statement says about paying."""

    company: str = Field(default="", description="The name at the top of each statement.")
    remit_to: str = Field(default="", description="Where to send payment (several lines allowed).")
    payment_instructions: str = Field(default="", description="Bank details, references to quote.")


def _resolve_path(value: Path, info: ValidationInfo) -> Path:
    """Relative to the config file's folder (as every path in the config)."""
    path = value.expanduser()
    base = (info.context or {}).get("base_dir")
    if not path.is_absolute() and base is not None:
        path = Path(base) / path
    return path.resolve()


class DunningStageSettings(_Settings):
    """One dunning stage: reached `days` after the due date (negative: before it)."""

    name: str = Field(pattern=r"^[a-z0-9_]+$", max_length=40)
    days: int = Field(ge=-60, le=3650)
    action: Literal["email", "credit_hold"] = "email"


def _default_stages() -> tuple[DunningStageSettings, ...]:
    return (
        DunningStageSettings(name="reminder", days=-3),
        DunningStageSettings(name="first_notice", days=7),
        DunningStageSettings(name="second_notice", days=20),
        DunningStageSettings(name="final_notice", days=45),
        DunningStageSettings(name="credit_hold", days=60, action="credit_hold"),
    )


class DunningSettings(_Settings):
    """The dunning process: stages, templates, and whether `ar dunning` really sends."""

    send: bool = Field(default=False, description="Send without --send (default: a dry run).")
    stages: tuple[DunningStageSettings, ...] = Field(default_factory=_default_stages, min_length=1)
    language: str = Field(default="en", pattern=r"^[a-z]{2}$")
    templates: Annotated[Path, AfterValidator(_resolve_path)] | None = Field(
        default=None,
        description="Folder of Jinja2 templates <stage>.<language>.txt (first line 'Subject: ...').",
    )

    @field_validator("stages")
    @classmethod
    def _unique(cls, stages: tuple[DunningStageSettings, ...]) -> tuple[DunningStageSettings, ...]:
        names = [s.name for s in stages]
        if len(set(names)) != len(names):
            raise ValueError("dunning stage names must be unique")
        return stages


class ContactSettings(_Settings):
    """A customer's contact details, for when the ERP has none (the ERP's win)."""

    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=300, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = Field(default=None, max_length=60)
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")


class ArSettings(_Settings):
    """Receivables health: aging buckets, the KPI period, guardrail targets, alerts."""

    aging: AgingSettings = Field(default_factory=AgingSettings)
    kpi_period_days: int = Field(
        default=90, ge=1, le=3660, description="The period of DSO and CEI, ending on the as-of day."
    )
    targets: TargetsSettings = Field(default_factory=TargetsSettings)
    snapshots: bool = Field(
        default=True, description="Store each day's KPIs and check the guardrails in the cycle."
    )
    snapshot_minutes: int = Field(
        default=60,
        ge=0,
        le=1440,
        description="Run that step at most this often (the first cycle of a day always runs it).",
    )
    statements: StatementSettings = Field(default_factory=StatementSettings)
    dunning: DunningSettings = Field(default_factory=DunningSettings)
    contacts: dict[str, ContactSettings] = Field(
        default_factory=dict,
        description="Contact details by customer id, used where the ERP has none.",
    )
    contacts_file: Annotated[Path, AfterValidator(_resolve_path)] | None = Field(
        default=None,
        description="A CSV of customer_id and optional name, email, phone, language columns;"
        " used where neither the ERP nor `contacts` has a value.",
    )
    alert_emails: tuple[str, ...] = Field(
        default=(),
        description="Who is told (once per breach) when a KPI goes past its target; needs smtp:.",
    )


class SmtpSettings(_Settings):
    """The mail server arbridge sends through (guardrail notices)."""

    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = Field(default=True, description="Upgrade the connection with STARTTLS.")
    username: str | None = None
    password: SecretField | None = Field(
        default=None, description="Secret reference (env:NAME or file:/path) to the password."
    )
    sender: str = Field(min_length=3, pattern=r"^[^@\s]+@[^@\s]+$", description="The From address.")
    timeout_seconds: float = Field(default=30, gt=0, le=300)
