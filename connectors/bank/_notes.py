"""Notes on a statement that is read all the same (a control total that does not add up).

A reader calls `note(...)` for something finance should know but that does not make
the file unreadable. Callers that show notes (the golden tests, `arbridge bank read`
on stderr) collect them with `collect_notes()`; elsewhere (the daemon) each note is
logged as a `bank_file_note` warning. Under `strict_notes()` a
note rejects the whole file instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from arbridge.connectors.bank._errors import reject


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """Something about a statement that was read all the same."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.field:
            where += f", field {self.field!r}"
        return f"{where}: {self.message}"


_notes: ContextVar[list[Note] | None] = ContextVar("bank_notes", default=None)
_strict: ContextVar[bool] = ContextVar("bank_strict", default=False)


def note(path: Path, message: str, *, line: int | None = None, field: str | None = None) -> None:
    """Record a note on the file (or, under `strict_notes`, reject the file with it).

    Raises:
        BadInputError: in strict mode, naming file, line and field.
    """
    if _strict.get():
        raise reject(path, f"{message} (strict)", line=line, field=field)
    found = Note(file=str(path), line=line, field=field, message=message)
    collected = _notes.get()
    if collected is not None:  # the caller shows its notes (and stdout may be its output)
        collected.append(found)
        return
    import structlog  # noqa: PLC0415 - costs a third of `bank read`'s start-up; notes are rare

    structlog.get_logger("arbridge.bank").warning(
        "bank_file_note", file=found.file, line=line, field=field, note=message
    )


@contextmanager
def collect_notes() -> Iterator[list[Note]]:
    """Collect the notes of every statement read inside the block."""
    collected: list[Note] = []
    token = _notes.set(collected)
    try:
        yield collected
    finally:
        _notes.reset(token)


@contextmanager
def strict_notes(strict: bool) -> Iterator[None]:
    """Inside the block, with `strict`, every note rejects its file."""
    token = _strict.set(strict)
    try:
        yield
    finally:
        _strict.reset(token)
