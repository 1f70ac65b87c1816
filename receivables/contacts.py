"""A customer's contact details, merged field by field from the places that know them."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class Contact:
    """Who to write to at a customer, and in which language (None: not known here)."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str | None = None


def first_of(*sources: Contact | None) -> Contact:
    """Each field from the first source that has it (sources in order of precedence)."""
    found: dict[str, str | None] = {}
    for f in fields(Contact):
        found[f.name] = next(
            (getattr(s, f.name) for s in sources if s is not None and getattr(s, f.name)), None
        )
    return Contact(**found)
