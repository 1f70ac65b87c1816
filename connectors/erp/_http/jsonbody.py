"""JSON request bodies with Decimal amounts written as exact JSON numbers (never via float)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

_MARK = re.compile(r'"\\u0000DEC(-?[0-9.]+)\\u0000"')


def _mark(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"\x00DEC{value:f}\x00"
    if isinstance(value, dict):
        return {k: _mark(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mark(v) for v in value]
    return value


def dumps(value: Any) -> bytes:
    """Serialize to JSON; each Decimal becomes the exact number it holds (e.g. 750.00)."""
    return _MARK.sub(r"\1", json.dumps(_mark(value), separators=(",", ":"))).encode("utf-8")


def loads(content: bytes) -> Any:
    """Parse JSON with every non-integer number as a Decimal."""
    return json.loads(content, parse_float=Decimal)
