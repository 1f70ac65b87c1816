"""Namespace-agnostic lookups in ElementTree trees (camt versions differ only by namespace)."""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError, fromstring

__all__ = ["Element", "ParseError", "find", "find_text", "findall", "local", "parse_with_lines"]


def parse_with_lines(raw: bytes, noted: frozenset[str]) -> tuple[Element, dict[Element, int]]:
    """Parse XML into an ElementTree tree, noting the line the `noted` elements start on.

    `ElementTree.fromstring` (expat in C, no external entities) builds the tree; the
    lines of the `noted` local names come from a scan of the raw bytes for their start
    tags, paired in document order. When the counts disagree (such a tag inside a
    comment or CDATA) no line is noted rather than a wrong one.

    Raises:
        ParseError: not well-formed; `position[0]` is the line.
    """
    root = fromstring(raw)  # noqa: S314 - ElementTree resolves no DTD or external entity
    lines: dict[Element, int] = {}
    for name in noted:
        elements = [e for e in root.iter() if local(e.tag) == name]
        starts = _start_lines(raw, name)
        if len(starts) == len(elements):
            lines.update(zip(elements, starts, strict=True))
    return root, lines


def _start_lines(raw: bytes, name: str) -> list[int]:
    pattern = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?" + re.escape(name.encode()) + rb"[\s/>]")
    found, line, counted = [], 1, 0
    for match in pattern.finditer(raw):
        line += raw.count(b"\n", counted, match.start())
        counted = match.start()
        found.append(line)
    return found


def local(tag: str) -> str:
    """A tag without its `{namespace}`."""
    return tag.rsplit("}", 1)[-1]


def findall(node: Element, *path: str) -> list[Element]:
    """Every element down a path of local names."""
    level = [node]
    for name in path:
        level = [child for parent in level for child in parent if local(child.tag) == name]
    return level


def find(node: Element, *path: str) -> Element | None:
    """The first element down a path of local names."""
    found = findall(node, *path)
    return found[0] if found else None


def find_text(node: Element, *path: str) -> str | None:
    """The stripped text of the first element down a path, None when absent or empty."""
    element = find(node, *path)
    text = (element.text or "").strip() if element is not None else ""
    return text or None
