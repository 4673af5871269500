"""Streaming Markdown, the pure part: split text into top-level blocks and freeze the finished ones.

Textual's ``Markdown.append`` re-parses only from the start of the last top-level block and
never touches the blocks before it; this module does the same with markdown-it-py token maps.
A block is *finished* once a later block has begun and no text still to come can join the two
(``finished_count`` says when). Each update parses only the open region (the text after the
frozen blocks; of an open table or code block, only the lines not yet kept, ``open_block``), and
when the stream ends the frozen blocks plus the tail are exactly ``render_markdown(whole_text)``.
A frozen block changes only if a link definition it looked up arrives, changes or goes
(``link_labels``). Rendering is safe for model output (``safe_markdown``).
"""

from __future__ import annotations

import html
import itertools
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass

from markdown_it.token import Token

from helpers.views.link_labels import LinkDefinitions, Lookups, note_blocks
from helpers.views.open_block import OpenBlock, open_block
from helpers.views.safe_markdown import SafeMarkdown, render_markdown, render_tokens
from helpers.views.tail_healing import CARET, heal_open_inlines, held_back_lines, with_caret

_LINE_BREAK = re.compile(r"\r\n?|\n")
_BARE_NUMBER = re.compile(r"^[ \t]*[0-9]+$")

# The same Markdown as ``render_markdown``; its inline rule tells ``Lookups`` which block is being parsed.
# ``MarkdownBlocks`` normalizes the text as it arrives (line breaks, NUL), so the parser need not each time.
_PARSER = SafeMarkdown()
_PARSER.core.ruler.at("inline", note_blocks)
_PARSER.core.ruler.disable("normalize")


def _normalize(text: str) -> str:
    """What markdown-it's ``normalize`` rule does to its input: one kind of line break, NUL as U+FFFD."""
    return _LINE_BREAK.sub("\n", text).replace("\0", "\ufffd")


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
    return _finished_count(blocks, region.split("\n"))


def _finished_count(blocks: list[Block], lines: list[str]) -> int:
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


@dataclass(frozen=True)
class Change:
    """What one piece of text changed: so a view redraws only that, whatever the length of the text.

    ``blocks`` holds, by index, each frozen block whose HTML is new: those frozen by this
    piece, and earlier ones a link definition changed. ``frozen`` counts the frozen blocks,
    ``tail`` is the open tail's HTML and ``open_chars`` the characters it covers.
    """

    blocks: dict[int, str]
    frozen: int
    tail: str
    open_chars: int


class IncrementalRenderer(ABC):
    """Turns text given piece by piece into frozen blocks and an open tail; frozen blocks keep their HTML."""

    def __init__(self) -> None:
        self.received = 0  # characters given so far
        self.frozen: list[str] = []  # each frozen block's HTML

    @abstractmethod
    def extend(self, fresh: str, *, heal: bool = False, caret: bool = False) -> Change:
        """Take the text that follows what was given before; say what changed.

        ``heal`` shows the open tail without half-written markup (``tail_healing``), and ``caret``
        marks where text is still arriving: for an answer not yet complete. Frozen blocks never have either.
        """

    def update(self, text: str, *, heal: bool = False, caret: bool = False) -> Rendered:
        """Given the whole text so far (it only ever grows): every frozen block's HTML, and the tail's."""
        change = self.extend(text[self.received :], heal=heal, caret=caret)
        return Rendered(tuple(self.frozen), change.tail, change.open_chars)


class MarkdownBlocks(IncrementalRenderer):
    """Renders growing Markdown: each finished top-level block once, the open region at each update.

    An update costs what the open region costs to parse and render, whatever came before it;
    of an open table or code block only the lines not yet kept are parsed (``open_block``).
    """

    def __init__(self) -> None:
        super().__init__()
        self._offset = 0  # characters of text before the open region: the frozen part
        self._raw = ""  # the open region as given
        self._region = ""  # the open region with line breaks normalized, as markdown-it reads it
        self._sources: list[str] = []  # each frozen block's source, kept to render it again
        self._links = LinkDefinitions()
        self._open: OpenBlock | None = None  # the open table or code block, with its finished lines kept

    def extend(self, fresh: str, *, heal: bool = False, caret: bool = False) -> Change:
        """Freeze what has finished with this piece of text and render the rest."""
        self.received += len(fresh)
        crlf_split = self._raw.endswith("\r") and fresh.startswith("\n")  # its "\r" already became "\n"
        self._raw += fresh
        self._region += _normalize(fresh[1:] if crlf_split else fresh)
        src, lookups, blocks, relabelled = self._parse()
        changed = self._render_again(relabelled, lookups)
        lines = src.split("\n")
        done = _finished_count(blocks, lines)
        if done:
            changed.update(self._freeze(blocks[:done], blocks[done].start, lines, lookups))
        self._links.settle(lookups, blocks[done].start if done else 0)
        env = {"references": lookups}
        if done == 0 and blocks and self._open is None:
            self._open = open_block(blocks[0].tokens, blocks[0].start, lines)
        kept = self._open if done == 0 else None
        rest = blocks[done + (kept is not None) :]
        tokens = [token for block in rest for token in block.tokens]
        placed = False
        if heal:
            tokens, placed = self._heal(kept, blocks[0].tokens if kept else [], rest, tokens, lines, caret, lookups)
        tail = kept.update(blocks[0].tokens, lines, lookups.asked[0], env) if kept else ""
        tail += render_tokens(tokens, env)
        if caret and not placed:
            tail = with_caret(tail)
        return Change(changed, len(self.frozen), tail, self.received - self._offset)

    def _heal(
        self,
        kept: OpenBlock | None,
        kept_tokens: list[Token],
        rest: list[Block],
        tokens: list[Token],
        lines: list[str],
        caret: bool,
        lookups: Lookups,
    ) -> tuple[list[Token], bool]:
        """The tokens of the open tail after the open table or code block (``rest``) healed (``tail_healing``),
        and whether the caret went into its text.

        Lines held back are parsed again without them; the open table's or code block's tokens
        are healed in place, before it keeps its finished lines.
        """
        region = lines
        held = held_back_lines(lines[rest[0].start :], rest[-1].tokens[0].type) if rest else 0
        throwaway = {"references": self._links.lookups(lookups.found)}  # parses that must not note who asked what
        if held:
            region = [*lines[rest[0].start : len(lines) - held], ""]
            tokens = _PARSER.parse("\n".join(region), throwaway)

        def parse_inline(text: str) -> list[Token]:
            children: list[Token] = []
            _PARSER.inline.parse(text, _PARSER, throwaway, children)
            return children

        if any(token.type == "inline" for token in tokens) or kept is None:
            return tokens, heal_open_inlines(tokens, len(region), parse_inline, caret)
        return tokens, heal_open_inlines(kept_tokens, len(lines), parse_inline, caret)

    def _parse(self) -> tuple[str, Lookups, list[Block], set[str]]:
        """Parse the open region, or the open block's head and the lines it has not kept; and which link targets changed."""
        while True:
            src = self._source()
            lookups = self._links.lookups()
            blocks = split_blocks(_PARSER.parse(src, {"references": lookups}))
            relabelled = self._links.changed(lookups)
            kept = self._open
            if kept is None or (kept.matches(blocks[0].tokens if blocks else []) and not kept.labels & relabelled):
                return src, lookups, blocks, relabelled
            self._open = None  # its kept lines may render differently now: parse the whole block again

    def _source(self) -> str:
        kept = self._open
        if kept is not None:
            rest = self._region[len(kept.head) + kept.kept_chars :]
            if kept.fits(rest.count("\n") + 1):
                return kept.head + rest
            self._open = None
        return self._region

    def _render_again(self, labels: set[str], lookups: Lookups) -> dict[int, str]:
        """Render again the frozen blocks that looked up a label whose target changed; those whose HTML did change."""
        changed = {}
        for index in self._links.users(labels):
            again = self._links.lookups(lookups.found)
            env = {"references": again}
            block_html = render_tokens(_PARSER.parse(self._sources[index], env), env)
            self._links.note(index, again.everything_asked())
            if block_html != self.frozen[index]:
                self.frozen[index] = changed[index] = block_html
        return changed

    def _freeze(self, blocks: list[Block], kept_from: int, lines: list[str], lookups: Lookups) -> dict[int, str]:
        """Freeze ``blocks``, the first of a parse of ``lines``; the open region then starts at its line ``kept_from``."""
        kept = self._open
        shift, head_lines = (kept.kept_lines, kept.head_lines) if kept else (0, 0)
        region_lines = self._region.split("\n") if shift else lines

        def in_region(line: int) -> int:
            return line + shift if line >= head_lines else line

        env = {"references": lookups}
        frozen = {}
        for number, block in enumerate(blocks):
            index = len(self.frozen)
            block_html = kept.html(block.tokens, env) if kept and number == 0 else render_tokens(block.tokens, env)
            self.frozen.append(block_html)
            frozen[index] = block_html
            self._sources.append("\n".join(region_lines[in_region(block.start) : in_region(block.end)]))
            self._links.note(index, lookups.asked[number] | (kept.labels if kept and number == 0 else set()))
        start = in_region(kept_from)
        kept_text = "\n".join(region_lines[start:])
        cut = len(self._region) - len(kept_text) if "\r" not in self._raw else line_offset(self._raw, start)
        self._offset += cut
        self._raw = self._raw[cut:]
        self._region = kept_text
        self._open = None
        return frozen


def _plain_paragraph(part: str, caret: bool = False) -> str:
    if not part and not caret:
        return ""
    return f'<p style="white-space: pre-wrap">{html.escape(part)}{CARET if caret else ""}</p>'


_PARAGRAPH_BREAK = "\n\n"


def render_plain(text: str) -> str:
    """Plain text as HTML: escaped, line breaks kept, one ``<p>`` per paragraph."""
    return "".join(_plain_paragraph(part) for part in text.split(_PARAGRAPH_BREAK))


class PlainParagraphs(IncrementalRenderer):
    """Renders growing plain text, freezing each paragraph once its blank line has arrived."""

    def __init__(self) -> None:
        super().__init__()
        self._open = ""  # the text after the last paragraph break

    def extend(self, fresh: str, *, heal: bool = False, caret: bool = False) -> Change:
        """Freeze the paragraphs this piece finishes and render the one still open (plain text needs no healing)."""
        self.received += len(fresh)
        *finished, self._open = (self._open + fresh).split(_PARAGRAPH_BREAK)
        first = len(self.frozen)
        self.frozen += [_plain_paragraph(part) for part in finished if part]
        changed = {index: self.frozen[index] for index in range(first, len(self.frozen))}
        return Change(changed, len(self.frozen), _plain_paragraph(self._open, caret), len(self._open))


class WholeText(IncrementalRenderer):
    """The naive way, for comparison: render the whole text again on every update."""

    def __init__(self, markdown: bool) -> None:
        super().__init__()
        self._render = render_markdown if markdown else render_plain
        self._text = ""

    def extend(self, fresh: str, *, heal: bool = False, caret: bool = False) -> Change:
        """Everything as one tail, rendered from scratch; never healed, as the naive way shows raw markup."""
        self.received += len(fresh)
        self._text += fresh
        rendered = self._render(self._text)
        return Change({}, 0, with_caret(rendered) if caret else rendered, len(self._text))
