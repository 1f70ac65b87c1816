"""Secret references: config names where a secret lives (`env:NAME`, `file:/path`), never the secret.

The resolved value is only ever held in memory; its repr is masked so it cannot
leak into logs or exception texts by accident.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_REF = re.compile(r"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$")


@dataclass(frozen=True, slots=True)
class SecretRef:
    """A pointer to a secret, resolved on demand.

    Attributes:
        ref: the reference as written in YAML, e.g. `env:BC_CLIENT_SECRET`.
    """

    ref: str

    @property
    def scheme(self) -> str:
        """`env` or `file`."""
        return self.ref.split(":", 1)[0]

    @property
    def target(self) -> str:
        """The variable name or file path the reference points at."""
        return self.ref.split(":", 1)[1]

    def problem(self) -> str | None:
        """Why the secret cannot be read now, or None if it can."""
        if self.scheme == "env":
            return (
                None
                if os.environ.get(self.target)
                else f"environment variable {self.target} is not set"
            )
        path = Path(self.target)
        if not path.is_file():
            return f"secret file {self.target} does not exist"
        if not os.access(path, os.R_OK):
            return f"secret file {self.target} is not readable by this user"
        return None

    def resolve(self) -> str:
        """Read the secret. Raises LookupError (without the value) if it is missing."""
        problem = self.problem()
        if problem is not None:
            raise LookupError(problem)
        if self.scheme == "env":
            return os.environ[self.target]
        return Path(self.target).read_text(encoding="utf-8").strip()

    def __repr__(self) -> str:
        return f"SecretRef({self.ref!r})"


def _parse_ref(value: Any) -> SecretRef:
    if isinstance(value, SecretRef):
        return value
    if not isinstance(value, str) or not _REF.match(value):
        # Never echo the value: it may be the literal secret someone pasted in.
        raise ValueError(
            "must be a secret reference such as 'env:NAME' or 'file:/path'; "
            "literal secrets are not allowed in the config file"
        )
    return SecretRef(value)


SecretField = Annotated[
    SecretRef,
    BeforeValidator(_parse_ref),
    PlainSerializer(lambda s: s.ref, return_type=str),
    WithJsonSchema({"type": "string", "pattern": _REF.pattern, "writeOnly": True}),
]
"""A settings field holding a secret reference (use this type in models)."""
