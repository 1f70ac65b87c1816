"""The root of arbridge's exception tree, and the errors every layer shares.

ArbridgeError
 ├── ConfigError              fatal at startup; carries every problem found
 ├── BadInputError            a file or record we were given is wrong; names file, line, field
 └── (connectors.errors)      ConnectorError -> Transient / Permanent / RecordRejected

Reconciliation problems (an unmatched payment, a short payment) are never raised:
they are review items. Exceptions are for things a program cannot carry on with.
"""

from __future__ import annotations

from dataclasses import dataclass


class ArbridgeError(Exception):
    """Root of every error arbridge raises on purpose."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceLocation:
    """Where in an input a problem is: file, 1-based line and field, and the bad value."""

    file: str
    line: int | None = None
    field: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.field is not None:
            where += f", field {self.field!r}"
        if self.value is not None:
            where += f", value {self.value!r}"
        return where


class BadInputError(ArbridgeError):
    """An input file or record is wrong; `locations` say exactly where."""

    def __init__(self, message: str, *locations: SourceLocation) -> None:
        self.message = message
        self.locations = locations
        super().__init__(self._render())

    def _render(self) -> str:
        if not self.locations:
            return self.message
        if len(self.locations) == 1:
            return f"{self.locations[0]}: {self.message}"
        lines = "\n".join(f"  - {loc}" for loc in self.locations)
        return f"{self.message}:\n{lines}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigProblem:
    """One thing wrong with the configuration, at a YAML path (and line when known)."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path or "(top level)"
        if self.line is not None:
            where += f" (line {self.line})"
        return f"{where}: {self.message}"


class ConfigError(ArbridgeError):
    """The configuration cannot be used; lists every problem, not just the first."""

    def __init__(self, source: str, problems: list[ConfigProblem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        listing = "\n".join(f"  - {p}" for p in self.problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{source}: {count} configuration {noun}:\n{listing}")
