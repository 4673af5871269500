"""Streaming Markdown, the pure part: split text into top-level blocks and freeze the finished ones.

Textual's ``Markdown.append`` re-parses only from the start of the last top-level block and
never touches the blocks before it; this module does the same with markdown-it-py token maps.
A block is *finished* once a later block has begun and no text still to come can join the two
(``finished_count`` says when). Only the open tail is rendered again on each update, and when the
stream ends the frozen blocks plus the tail are exactly ``render_markdown(whole_text)``.

Model output is untrusted, so Markdown is rendered with raw HTML off (``<script>`` and
``<img onerror=...>`` come out as text) and links and images may only point at http(s),
mailto or relative addresses.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass
from typing import Any, Protocol

from markdown_it import MarkdownIt
from markdown_it.token import Token

_LINE_BREAK = re.compile(r"\r\n?|\n")
_BARE_NUMBER = re.compile(r"^[ \t]*[0-9]+$")
_SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def is_safe_url(url: str) -> bool:
    """True for web, mail and relative addresses: a link can open a page, never run code."""
    scheme = _SCHEME.match(url)
    return scheme is None or scheme.group(1).lower() in SAFE_SCHEMES


class SafeMarkdown(MarkdownIt):
    """CommonMark plus tables and strikethrough, with raw HTML off and only safe link targets."""

    def __init__(self) -> None:
        super().__init__("commonmark", {"html": False})
        self.enable(["table", "strikethrough"])

    def validateLink(self, url: str) -> bool:
        return is_safe_url(url)


MARKDOWN = SafeMarkdown()


def render_markdown(text: str) -> str:
    """The whole text rendered once: what a streamed view must end up showing."""
    return MARKDOWN.render(text)


@dataclass
class Block:
    """One top-level block: its tokens and the lines ``[start, end)`` it spans."""

    tokens: list[Token]
    start: int
    end: int


def split_blocks(tokens: list[Token]) -> list[Block]:
    """Group a parse's tokens into top-level blocks, using each block's line map."""
    blocks: list[Block] = []
    for token in tokens:
        if token.level == 0 and token.nesting >= 0:
            start, end = token.map or (0, 0)
            blocks.append(Block([token], start, end))
        else:
            blocks[-1].tokens.append(token)
    return blocks


def finished_count(blocks: list[Block], region: str) -> int:
    """How many leading blocks are finished: no text still to come can change them.

    A block is finished once the next one has begun and can no longer join it: when the next
    block's first line is complete, or when a blank line separates them and the line being
    written is not a bare number (``1. a``, blank line, ``2`` becomes the list's second item
    once its ``.`` arrives). Without a blank line, ``foo`` then ``#`` is a paragraph and an
    empty heading until an ``x`` makes ``#x`` part of the paragraph.
    """
    lines = region.split("\n")
    complete, partial = len(lines) - 1, lines[-1]
    count = 0
    while count + 1 < len(blocks):
        start = blocks[count + 1].start
        after_blank_line = start > 0 and not lines[start - 1].strip()
        if not (start < complete or (after_blank_line and not _BARE_NUMBER.match(partial))):
            break
        count += 1
    return count


def line_offset(text: str, line: int) -> int:
    """The character index where ``line`` (0-based) starts, counting line breaks as markdown-it does."""
    if line == 0:
        return 0
    return list(itertools.islice(_LINE_BREAK.finditer(text), line))[-1].end()


@dataclass(frozen=True)
class Rendered:
    """A view's content at one moment: every frozen block's HTML, then the open tail's.

    ``open_chars`` is how many characters of text the tail covers: what the next update
    renders again.
    """

    frozen: tuple[str, ...]
    tail: str
    open_chars: int

    @property
    def html(self) -> str:
        """Everything the view shows, as one HTML string."""
        return "".join(self.frozen) + self.tail


class IncrementalRenderer(Protocol):
    """Turns the text so far into ``Rendered``; earlier frozen blocks keep their HTML."""

    def update(self, text: str) -> Rendered: ...


class MarkdownBlocks:
    """Renders growing Markdown: each finished top-level block once, the open tail every time.

    ``update`` is given the whole text so far, which only ever grows.
    """

    def __init__(self) -> None:
        self._offset = 0  # where the unfinished region starts in the text
        self._sources: list[str] = []  # each frozen block's source, kept to render it again
        self._frozen: tuple[str, ...] = ()
        self._references: dict[str, Any] = {}  # link definitions found in the frozen region
        self._frozen_with: dict[str, tuple[str, str]] = {}  # the link targets frozen blocks saw

    def update(self, text: str) -> Rendered:
        """Freeze what has finished since the last call and render the rest."""
        raw = text[self._offset :]
        region = _LINE_BREAK.sub("\n", raw)
        env: dict[str, Any] = {"references": dict(self._references)}
        blocks = split_blocks(MARKDOWN.parse(region, env))
        done = finished_count(blocks, region)
        if done:
            lines = region.split("\n")
            self._sources += ["\n".join(lines[block.start : block.end]) for block in blocks[:done]]
            self._frozen += tuple(_render(block.tokens, env) for block in blocks[:done])
            kept_from = blocks[done].start
            self._references.update((k, v) for k, v in env["references"].items() if v["map"][1] <= kept_from)
            self._offset += line_offset(raw, kept_from)
        targets = {label: (ref["href"], ref["title"]) for label, ref in env["references"].items()}
        if targets != self._frozen_with:
            # A link definition can change how earlier blocks render ("see [the docs]"): redo them.
            self._frozen = tuple(_render(MARKDOWN.parse(source, dict(env)), env) for source in self._sources)
            self._frozen_with = targets
        tail = _render([token for block in blocks[done:] for token in block.tokens], env)
        return Rendered(self._frozen, tail, len(text) - self._offset)


def _render(tokens: list[Token], env: dict[str, Any]) -> str:
    return MARKDOWN.renderer.render(tokens, MARKDOWN.options, env)


_PARAGRAPH_BREAK = "\n\n"


def render_plain(text: str) -> str:
    """Plain text as HTML: escaped, line breaks kept, one ``<p>`` per paragraph."""
    return "".join(_plain_paragraph(part) for part in text.split(_PARAGRAPH_BREAK))


def _plain_paragraph(part: str) -> str:
    return f'<p style="white-space: pre-wrap">{html.escape(part)}</p>' if part else ""


class PlainParagraphs:
    """Renders growing plain text, freezing each paragraph once its blank line has arrived."""

    def __init__(self) -> None:
        self._offset = 0
        self._frozen: tuple[str, ...] = ()

    def update(self, text: str) -> Rendered:
        """Freeze the paragraphs finished since the last call and render the one still open."""
        *finished, tail = text[self._offset :].split(_PARAGRAPH_BREAK)
        self._frozen += tuple(_plain_paragraph(part) for part in finished if part)
        self._offset += sum(len(part) + len(_PARAGRAPH_BREAK) for part in finished)
        return Rendered(self._frozen, _plain_paragraph(tail), len(tail))


class WholeText:
    """The naive way, for comparison: render the whole text again on every update."""

    def __init__(self, markdown: bool) -> None:
        self._render = render_markdown if markdown else render_plain

    def update(self, text: str) -> Rendered:
        """Everything as one tail, rendered from scratch."""
        return Rendered((), self._render(text), len(text))
