"""A linear reader for OFX bodies, SGML (unclosed leaf tags) and XML alike.

`ofxparse` first closes every SGML tag with a regular-expression pass and then
searches a BeautifulSoup tree; both are quadratic on long statements. This
reader makes one pass over the tags and builds a small tree: an element
followed by text is a leaf (its closing tag optional); an element closed by an
ancestor's closing tag without ever being closed itself was an empty leaf, and
whatever was read into it moves up to its parent.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from arbridge.connectors.bank._errors import reject

_TOKEN = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9_.]*)[^<>]*>|<!\[CDATA\[(.*?)\]\]>|<!--.*?-->|<\?.*?\?>", re.S
)


@dataclass(slots=True, eq=False)
class Node:
    """One OFX element: a leaf with `text`, or an aggregate with `children`."""

    tag: str
    line: int
    text: str = ""
    children: list[Node] = field(default_factory=list)
    closed: bool = False

    def child(self, tag: str) -> Node | None:
        """The first direct child with this tag."""
        for node in self.children:
            if node.tag == tag:
                return node
        return None

    def value(self, tag: str) -> str | None:
        """The text of the first direct child with this tag, None when absent."""
        node = self.child(tag)
        return None if node is None else node.text

    def path(self, *tags: str) -> Node | None:
        """Follow direct children down a path of tags."""
        node: Node | None = self
        for tag in tags:
            node = node.child(tag) if node is not None else None
        return node

    def iter(self, *tags: str) -> Iterator[Node]:
        """Every descendant (self included) whose tag is one of `tags`, in document order."""
        stack = [self]
        while stack:
            node = stack.pop()
            if node.tag in tags:
                yield node
            stack.extend(reversed(node.children))


def parse_sgml(path: Path, body: str, first_line: int) -> Node:
    """Build the element tree of an OFX body.

    Raises:
        BadInputError: no element at all, or an aggregate never closed (truncated file).
    """
    builder = _Builder(path)
    line, prev = first_line, 0
    for match in _TOKEN.finditer(body):
        start = match.start()
        builder.text(body[prev:start])
        line += body.count("\n", prev, start)
        slash, tag, cdata = match.group(1), match.group(2), match.group(3)
        if tag is not None:
            builder.tag(tag.upper(), closing=bool(slash), line=line)
        elif cdata is not None:
            builder.cdata(cdata)
        prev = match.end()
        line += body.count("\n", start, prev)
    builder.text(body[prev:])
    return builder.finish()


class _Builder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.root = Node(tag="#root", line=1)
        self.stack: list[Node] = [self.root]
        self._pending: list[str] = []

    def text(self, raw: str) -> None:
        if raw and not raw.isspace():
            self._pending.append(html.unescape(raw) if "&" in raw else raw)

    def cdata(self, raw: str) -> None:
        self._pending.append(raw)

    def _flush(self) -> None:
        if not self._pending:
            return
        text = "".join(self._pending).strip()
        self._pending.clear()
        top = self.stack[-1]
        if text and top is not self.root and not top.children:
            top.text = text

    def tag(self, tag: str, *, closing: bool, line: int) -> None:
        self._flush()
        top = self.stack[-1]
        if top.text and top is not self.root:
            self.stack.pop()  # an SGML leaf: its value ends where the next tag starts
            if closing and tag == top.tag:
                top.closed = True
                return
        if closing:
            self._close(tag)
            return
        node = Node(tag=tag, line=line)
        self.stack[-1].children.append(node)
        self.stack.append(node)

    def _close(self, tag: str) -> None:
        if not any(node.tag == tag for node in self.stack[1:]):
            return  # a stray closing tag of a leaf already ended
        while True:
            node = self.stack.pop()
            if node.tag == tag:
                node.closed = True
                return
            self._hoist(node)

    def _hoist(self, node: Node) -> None:
        """An element left open inside a closed one was an empty leaf."""
        if node.children:
            self.stack[-1].children.extend(node.children)
            node.children = []

    def finish(self) -> Node:
        self._flush()
        while len(self.stack) > 1:
            node = self.stack.pop()
            if node.children or node.tag == "OFX":
                raise reject(
                    self.path,
                    f"<{node.tag}> is never closed: the file is truncated or malformed",
                    line=node.line,
                    field=node.tag,
                )
        if not self.root.children:
            raise reject(self.path, "no OFX elements found", field="OFX")
        return self.root
