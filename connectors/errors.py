"""Connector errors, grouped by what the caller should do next.

ArbridgeError
 └── ConnectorError                  carries the connector name
      ├── TransientConnectorError    retry later (timeouts, 429, 5xx, a locked file)
      │    └── RecordNotFoundError    a record the posting names is not in the ERP (yet): retry
      │                               on later cycles, then hand it to a person
      ├── PermanentConnectorError    stop using the connector and alert IT (bad credentials,
      │                              missing export file, wrong header)
      ├── RecordRejectedError        this one record was refused; open a review item
      └── CapabilityMissingError     the connector does not do this (declared in capabilities)
"""

from __future__ import annotations

from arbridge.domain.errors import ArbridgeError


class ConnectorError(ArbridgeError):
    """A connector could not do what was asked."""

    def __init__(self, connector: str, message: str) -> None:
        self.connector = connector
        self.message = message
        super().__init__(f"{connector}: {message}")


class TransientConnectorError(ConnectorError):
    """Worth retrying later; nothing was changed, or the change is safe to repeat."""


class RecordNotFoundError(TransientConnectorError):
    """A record the request names (an invoice) was not found; it may appear on a later read.

    Not a sign that the ERP is unwell: the caller retries it on later cycles and, when it
    stays missing, refuses it like a RecordRejectedError.
    """


class PermanentConnectorError(ConnectorError):
    """Will not get better by retrying; a person must fix configuration or data."""


class RecordRejectedError(ConnectorError):
    """The other side refused one record; the rest can go on."""


class CapabilityMissingError(ConnectorError):
    """Asked for something the connector declares it cannot do; check `capabilities` first."""
