"""structlog set-up, done once here: JSON off a terminal, readable on one, secrets masked."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

_SECRET_KEYS = re.compile(
    r"(pass(word)?|secret|token|authorization|api[_-]?key|credential)", re.IGNORECASE
)
MASK = "***"


_MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary words


class SecretMasker:
    """A processor that masks secret-looking keys and any registered secret value."""

    def __init__(self) -> None:
        self._values: set[str] = set()

    def register(self, value: str) -> None:
        """Never let this exact value (a resolved secret) reach the output."""
        if len(value) >= _MIN_SECRET_LENGTH:
            self._values.add(value)

    def __call__(self, _logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
        """Mask the values of one event before it is rendered."""
        return {key: self._mask(key, value) for key, value in event_dict.items()}

    def _mask(self, key: str, value: Any) -> Any:
        if _SECRET_KEYS.search(key):
            return MASK
        if isinstance(value, str) and self._values:
            for secret in self._values:
                value = value.replace(secret, MASK)
        elif isinstance(value, MutableMapping):
            return {k: self._mask(str(k), v) for k, v in value.items()}
        return value


MASKER = SecretMasker()


def configure_logging(level: str = "info", fmt: str = "auto", stream: TextIO | None = None) -> None:
    """Configure structlog for the process. Logs go to stderr; stdout stays for command output."""
    stream = stream or sys.stderr
    as_json = fmt == "json" or (fmt == "auto" and not stream.isatty())
    renderer: Processor = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            MASKER,
            structlog.processors.format_exc_info
            if as_json
            else structlog.processors.StackInfoRenderer(),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(
        level=logging.WARNING, stream=stream, format="%(levelname)s %(name)s: %(message)s"
    )
