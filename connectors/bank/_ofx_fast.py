"""Cut the transactions out of an OFX body before the element tree is built.

A statement of 20,000 transactions is 180,000 tags; building a tree node for
each is what makes a general reader slow. Nearly every `<STMTTRN>` holds only
leaves (`<TRNAMT>12.50`, `<NAME>ACME</NAME>`), so each such block is read with
one regular-expression scan into a tag -> value table. A run of consecutive
leaf-only blocks is replaced in the body by one marker leaf, padded with the
newlines it replaced so every later line number stays right; the tree reader
then sees a small skeleton (accounts, balances, markers) and the statement
reader swaps each marker back for its blocks, in document order.

A block that holds an aggregate (`<PAYEE>`, `<CURRENCY>`), an empty leaf, a
comment or CDATA is left in the body for the tree reader, which handles every
case; the two paths give the same values for a leaf-only block.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

MARKER = "ARBRIDGE.RUN"
"""The tag of the leaf that stands for a run of cut-out blocks (its text is the run's index)."""

_BLOCK = re.compile(
    r"<STMTTRN>([^<]*(?:<(?!/?STMTTRN>|/?BANKTRANLIST>)[^<]*)*)</STMTTRN>", re.IGNORECASE
)
_LEAF = re.compile(r"<([A-Za-z][A-Za-z0-9_.]*)>([^<]*)")


@dataclass(slots=True)
class Block:
    """One `<STMTTRN>`: its line, its leaves (first wins), and where they are.

    `lines` gives each leaf's line where the tree reader knew it; otherwise it
    is found in `text`, the block as written.
    """

    line: int
    values: dict[str, str]
    text: str = ""
    lines: dict[str, int] | None = None

    def line_of(self, tag: str) -> int:
        """The line a leaf of this block is on (for error messages)."""
        if self.lines is not None:
            return self.lines.get(tag, self.line)
        at = self.text.upper().find(f"<{tag}>")
        return self.line + (self.text.count("\n", 0, at) if at >= 0 else 0)


@dataclass(frozen=True, slots=True)
class CutBody:
    """The body with runs of blocks replaced by markers, and the runs themselves."""

    skeleton: str
    runs: list[list[Block]]


def cut_transactions(body: str, first_line: int) -> CutBody:
    """Replace each run of leaf-only `<STMTTRN>` blocks in `body` by a marker leaf."""
    cutter = _Cutter(body)
    line, counted = first_line, 0
    for match in _BLOCK.finditer(body):
        start = match.start()
        line += body.count("\n", counted, start)
        counted = start
        values = _leaves(match.group(1))
        if values is None:
            cutter.close_run()  # the block stays in the body for the tree reader
        else:
            cutter.add(Block(line=line, values=values, text=match.group(0)), start, match.end())
    cutter.close_run()
    return CutBody(skeleton="".join(cutter.parts) + body[cutter.kept :], runs=cutter.runs)


class _Cutter:
    def __init__(self, body: str) -> None:
        self.body = body
        self.parts: list[str] = []
        self.runs: list[list[Block]] = []
        self.run: list[Block] = []
        self.kept = 0  # the body before this is in `parts` or in a run
        self.run_start = 0

    def add(self, block: Block, start: int, end: int) -> None:
        between = self.body[self.kept : start]
        if self.run and between and not between.isspace():
            self.close_run()  # something else stands between two blocks
        if not self.run:
            self.parts.append(self.body[self.kept : start])
            self.run_start = start
        self.run.append(block)
        self.kept = end

    def close_run(self) -> None:
        if not self.run:
            return
        newlines = self.body.count("\n", self.run_start, self.kept)
        self.parts.append(f"<{MARKER}>{len(self.runs)}" + "\n" * newlines)
        self.runs.append(self.run)
        self.run = []


def _leaves(inner: str) -> dict[str, str] | None:
    """The block's leaves, or None when it holds anything but non-empty leaves."""
    if "<!" in inner or "<?" in inner:
        return None
    values: dict[str, str] = {}
    for tag, raw in _LEAF.findall(inner):
        text = (html.unescape(raw) if "&" in raw else raw).strip()
        if not text:
            return None  # an aggregate or an empty leaf: the tree reader knows what it is
        values.setdefault(tag.upper(), text)
    if not values:
        return None
    return values
