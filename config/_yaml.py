"""Read YAML keeping the line of every key, so problems can point at the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from arbridge.domain.errors import ConfigError, ConfigProblem

LineMap = dict[tuple[str | int, ...], int]


def read_yaml(path: Path) -> tuple[Any, LineMap]:
    """Parse a YAML file into plain data and a map from key path to 1-based line.

    Raises:
        ConfigError: the file is missing, unreadable or not valid YAML.
    """
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            source, [ConfigProblem(path="", message="config file not found")]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(source, [ConfigProblem(path="", message=f"cannot read: {exc}")]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(
            source, [ConfigProblem(path="", message=f"invalid YAML: {problem}", line=line)]
        ) from None
    lines: LineMap = {}
    if node is not None:
        _walk(node, (), lines)
    return data, lines


def _walk(node: yaml.Node, path: tuple[str | int, ...], lines: LineMap) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, str(key.value))
            _walk(value, child, lines)
            lines[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


def locate(loc: tuple[str | int, ...], lines: LineMap) -> tuple[str, int | None]:
    """Turn a validation error location into a YAML path and the nearest known line.

    Location parts that are not in the YAML (a union's tag, a missing key) are
    dropped from the line lookup but kept in the path only when they are keys.
    """
    found: tuple[str | int, ...] = ()
    path_parts: list[str | int] = []
    for part in loc:
        candidate = (*found, part)
        if candidate in lines:
            found = candidate
            path_parts.append(part)
        elif isinstance(part, str) and not _looks_like_tag(part):
            path_parts.append(part)
    return _render_path(path_parts), lines.get(found)


def _looks_like_tag(part: str) -> bool:
    # pydantic puts the union member (its tag or a function name) into `loc`.
    return part in {"folder", "csv", "memory"} or part.startswith("function-")


def _render_path(parts: list[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
