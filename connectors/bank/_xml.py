"""Namespace-agnostic lookups in ElementTree trees (camt versions differ only by namespace)."""

from __future__ import annotations

from xml.etree.ElementTree import Element

__all__ = ["Element", "find", "find_text", "findall", "local"]


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
