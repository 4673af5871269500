"""A table or fenced code block still being written: each of its finished lines parsed once.

A table or code block is one top-level block until it ends, so a long one would be parsed again
from its first line on every update. But a finished line (a table row, a line of code) reads the
same whatever follows it, so ``OpenBlock`` keeps its HTML (a row) or its text (a line of code),
and the next update parses only the block's *head* (the open region's lines up to the block's
body: a table's header and delimiter rows, a fence's opening line) followed by the lines not yet
kept. markdown-it decides each of those lines as it would in the whole document; ``fits`` and
``matches`` say when that holds, and otherwise the whole block is parsed again.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from typing import Any

from markdown_it.common.utils import escapeHtml, mdTrim
from markdown_it.rules_block.table import MAX_AUTOCOMPLETED_CELLS, escapedSplit
from markdown_it.token import Token

from helpers.views.safe_markdown import render_tokens

# The tags markdown-it writes around a table's body rows.
_TBODY_OPEN = render_tokens([Token("tbody_open", "tbody", 1, block=True)], {})
_TBODY_CLOSE = render_tokens([Token("tbody_close", "tbody", -1, block=True)], {})
_NUL = "\0"


class OpenBlock(ABC):
    """The open region's first block, a table or a fence, with the finished lines of its body kept."""

    KIND: str  # the type of the block's first token
    BODY: int  # lines from the block's first to its body

    def __init__(self, head: str, start: int, tokens: list[Token]) -> None:
        self.head = head  # the region up to the block's body, parsed again with the lines not kept
        self.start = start  # the block's first line in the region
        self.head_lines = head.count("\n")
        self.kept_lines = 0
        self.kept_chars = 0  # characters of the kept lines, line breaks included
        self.labels: set[str] = set()  # link labels the kept lines looked up

    def matches(self, tokens: list[Token]) -> bool:
        """Whether a parse of the head and the lines not kept begins with this block, where it began."""
        first = tokens[0] if tokens else None
        return first is not None and first.type == self.KIND and first.map is not None and first.map[0] == self.start

    def fits(self, lines: int) -> bool:
        """Whether parsing the head and ``lines`` more lines decides them as the whole document would."""
        return True

    @abstractmethod
    def html(self, tokens: list[Token], env: dict[str, Any]) -> str:
        """The whole block's HTML, given its tokens from a parse of the head and the lines not kept."""

    @abstractmethod
    def update(self, tokens: list[Token], lines: list[str], labels: set[str], env: dict[str, Any]) -> str:
        """``html``, keeping the body's finished lines: ``lines`` were parsed (the last one still open), looking up ``labels``."""

    def _kept(self, count: int, lines: list[str], labels: set[str]) -> None:
        if count:
            self.kept_chars += sum(len(line) + 1 for line in lines[self.head_lines : self.head_lines + count])
            self.kept_lines += count
            self.labels |= labels


class TableRows(OpenBlock):
    """A table: the HTML of each finished row, and the cells markdown-it has added to short rows so far."""

    KIND = "table_open"
    BODY = 2

    def __init__(self, head: str, start: int, tokens: list[Token]) -> None:
        super().__init__(head, start, tokens)
        self._columns = sum(token.type == "th_open" for token in tokens)
        self._rows: list[str] = []
        self._added_cells = 0  # markdown-it ends a table once it has added 65,536 cells to short rows

    def fits(self, lines: int) -> bool:
        return max(self._added_cells, 0) + self._columns * lines <= MAX_AUTOCOMPLETED_CELLS

    def html(self, tokens: list[Token], env: dict[str, Any]) -> str:
        return self._assemble(tokens, self._fresh_rows(tokens, env), env)

    def update(self, tokens: list[Token], lines: list[str], labels: set[str], env: dict[str, Any]) -> str:
        fresh = self._fresh_rows(tokens, env)
        html = self._assemble(tokens, fresh, env)
        finished = [(line, row) for line, row in fresh if line < len(lines) - 1]
        for line, row in finished:
            self._rows.append(row)
            self._added_cells += self._columns - _cell_count(lines[line])
        self._kept(len(finished), lines, labels)
        return html

    def _fresh_rows(self, tokens: list[Token], env: dict[str, Any]) -> list[tuple[int, str]]:
        """Each body row in ``tokens``: its line, and its HTML."""
        return [(row[0].map[0] if row[0].map else -1, render_tokens(row, env)) for row in _rows(tokens)]

    def _assemble(self, tokens: list[Token], fresh: list[tuple[int, str]], env: dict[str, Any]) -> str:
        if not self._rows and not fresh:
            return render_tokens(tokens, env)
        head = render_tokens(tokens[: _index(tokens, "thead_close") + 1], env)
        body = "".join(self._rows) + "".join(row for _, row in fresh)
        return head + _TBODY_OPEN + body + _TBODY_CLOSE + render_tokens(tokens[-1:], env)


class CodeLines(OpenBlock):
    """A fenced code block: the escaped text of each finished line."""

    KIND = "fence"
    BODY = 1

    def __init__(self, head: str, start: int, tokens: list[Token]) -> None:
        super().__init__(head, start, tokens)
        self._escaped = ""  # markdown-it escapes code character by character, so line by line is the same

    def html(self, tokens: list[Token], env: dict[str, Any]) -> str:
        if not self._escaped:
            return render_tokens(tokens, env)
        # What markdown-it writes around the code: it normalizes NUL to U+FFFD, so NUL is never part of it.
        before, after = render_tokens([dataclasses.replace(tokens[0], content=_NUL)], env).split(_NUL)
        return before + self._escaped + escapeHtml(tokens[0].content) + after

    def update(self, tokens: list[Token], lines: list[str], labels: set[str], env: dict[str, Any]) -> str:
        html = self.html(tokens, env)
        code = tokens[0].content  # one line of code per line of the body, each with its line break but the open one
        kept, end = 0, 0
        while self.head_lines + kept < len(lines) - 1 and (found := code.find("\n", end)) >= 0:
            kept, end = kept + 1, found + 1
        self._escaped += escapeHtml(code[:end])
        self._kept(kept, lines, labels)
        return html


_KINDS: dict[str, type[OpenBlock]] = {TableRows.KIND: TableRows, CodeLines.KIND: CodeLines}


def open_block(tokens: list[Token], start: int, lines: list[str]) -> OpenBlock | None:
    """An ``OpenBlock`` for a table or fence beginning on line ``start``, once its head is complete; else None."""
    kind = _KINDS.get(tokens[0].type)
    if kind is None or start + kind.BODY >= len(lines):
        return None
    return kind("".join(line + "\n" for line in lines[: start + kind.BODY]), start, tokens)


def _index(tokens: list[Token], kind: str) -> int:
    return next(n for n, token in enumerate(tokens) if token.type == kind)


def _rows(tokens: list[Token]) -> list[list[Token]]:
    """A table's body rows, each from its ``tr_open`` to its ``tr_close``."""
    rows: list[list[Token]] = []
    in_body = False
    for token in tokens:
        if token.type in ("tbody_open", "tbody_close"):
            in_body = token.type == "tbody_open"
        elif in_body and token.type == "tr_open":
            rows.append([token])
        elif in_body:
            rows[-1].append(token)
    return rows


def _cell_count(line: str) -> int:
    """How many cells markdown-it's ``table`` rule reads in a body row."""
    cells = escapedSplit(mdTrim(line))
    if cells and cells[0] == "":
        cells.pop(0)
    if cells and cells[-1] == "":
        cells.pop()
    return len(cells)
