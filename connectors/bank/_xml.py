"""Namespace-agnostic lookups in ElementTree trees (camt versions differ only by namespace)."""

from __future__ import annotations

from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

__all__ = ["Element", "find", "find_text", "findall", "local", "parse_with_lines"]


def parse_with_lines(raw: bytes) -> tuple[Element, dict[Element, int]]:
    """Parse XML into an ElementTree tree, noting the line each element starts on.

    Like `ElementTree.fromstring` (expat, no external entities), tags in `{ns}local` form.

    Raises:
        expat.ExpatError: not well-formed; `lineno` says where.
    """
    builder = TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    lines: dict[Element, int] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        element = builder.start(_clark(tag), {_clark(k): v for k, v in attrs.items()})
        lines[element] = parser.CurrentLineNumber

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: builder.end(_clark(tag))
    parser.CharacterDataHandler = builder.data
    parser.buffer_text = True
    parser.Parse(raw, True)
    return builder.close(), lines


def _clark(name: str) -> str:
    return "{" + name if "}" in name else name


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
