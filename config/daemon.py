"""Settings of the daemon itself: schedules, monitoring and logging."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Literal

from apscheduler.triggers.cron import CronTrigger
from pydantic import AfterValidator, Field, field_validator, model_validator

from arbridge.config._base import Settings as _Settings
from arbridge.config.secrets import SecretField

_CRON_FIELDS = 5


def _check_cron(cron: str | None) -> str | None:
    if cron is None:
        return None
    fields = cron.split()
    if len(fields) != _CRON_FIELDS:
        raise ValueError("a crontab line has 5 fields: minute hour day month day-of-week")
    names = ("minute", "hour", "day", "month", "day_of_week")
    CronTrigger(**dict(zip(names, fields, strict=True)), timezone=UTC)  # raises on bad values
    return cron


Cron = Annotated[str, AfterValidator(_check_cron)]


class ConnectorSchedule(_Settings):
    """How often one connector is pulled (it may be less often than the cycle runs)."""

    interval_seconds: int | None = Field(default=None, ge=1)
    cron: Cron | None = Field(default=None, description="A crontab line, UTC.")

    @model_validator(mode="after")
    def _one_rule(self) -> ConnectorSchedule:
        if (self.interval_seconds is None) == (self.cron is None):
            raise ValueError("give exactly one of interval_seconds or cron")
        return self


class ScheduleSettings(_Settings):
    """How often the daemon runs a cycle when not started with --once."""

    interval_seconds: int = Field(default=300, ge=1, description="Seconds between cycles.")
    cron: str | None = Field(
        default=None,
        description="A crontab line (minute hour day month day-of-week, UTC); "
        "when set it replaces interval_seconds, e.g. '*/5 6-20 * * mon-fri'.",
    )
    jitter_seconds: int = Field(default=0, ge=0, description="Random delay added to each run.")
    misfire_grace_seconds: int = Field(
        default=300, ge=1, description="How late a missed run may still start."
    )
    connectors: dict[str, ConnectorSchedule] = Field(
        default_factory=dict,
        description="Per connector (by name): pull it only this often; the cycle still "
        "matches and pushes every time, using the connector's last pull.",
    )

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, cron: str | None) -> str | None:
        return _check_cron(cron)


class MonitoringSettings(_Settings):
    """The daemon's /healthz and /metrics endpoint (off unless `listen` is set)."""

    listen: str | None = Field(
        default=None,
        pattern=r"^[^\s:]+:\d{1,5}$",
        description="host:port to serve /healthz and /metrics on, e.g. 127.0.0.1:9464.",
    )
    stale_after_seconds: int | None = Field(
        default=None,
        ge=1,
        description="/healthz turns 503 when no cycle finished for this long "
        "(default: three intervals, or a day with a cron schedule).",
    )


class LoggingSettings(_Settings):
    """Log level and format (JSON when not on a terminal, unless told otherwise)."""

    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "json", "console"] = "auto"


class WebSettings(_Settings):
    """The finance web page (off unless `listen` is set)."""

    listen: str | None = Field(
        default=None,
        pattern=r"^[^\s:]+:\d{1,5}$",
        description="host:port to serve the web page on, e.g. 127.0.0.1:8765.",
    )
    secret_key: SecretField | None = Field(
        default=None,
        description="Signs session cookies (env:NAME or file:/path). Without it a random key "
        "is made at each start, and everyone logs in again after a restart.",
    )
    demo_user: bool = Field(
        default=False,
        description="Demo only: when no user exists, create 'demo' (clerk) with a random "
        "password and print it at start.",
    )
    public_url: str | None = Field(
        default=None,
        pattern=r"^https?://\S+$",
        description="The address people open (behind a proxy); https turns on Secure cookies.",
    )
    secure_cookie: bool | None = Field(
        default=None,
        description="Send the session cookie only over https (default: on when public_url "
        "is https).",
    )
    session_idle_minutes: int = Field(
        default=30, ge=1, le=24 * 60, description="A session ends after this long unused."
    )
    session_max_hours: int = Field(
        default=8, ge=1, le=7 * 24, description="A session ends this long after login, used or not."
    )
