"""The answer as HTML blocks for the page: each finished block sent once, only the open tail again.

Markdown is rendered here, on the server, by lesson 04's ``MarkdownBlocks`` (raw HTML off, links
only to http(s), mailto or relative addresses), so the page needs no Markdown library of its own
and never sees the model's raw HTML. One thing a page needs beyond a notebook: an image would
load by itself as soon as it is drawn (a tracking pixel), so images become links the reader may
choose to open.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from helpers.views.markdown_blocks import MarkdownBlocks

# markdown-it's only way to write an <img>: raw HTML is off, so every "<" of the model's text is
# escaped and an "<img" in the output can only come from Markdown image syntax.
_IMAGE = re.compile(r'<img src="([^"]*)" alt="([^"]*)"(?: title="[^"]*")? />')


def without_images(rendered: str) -> str:
    """The HTML with each image replaced by a link to it: nothing loads until the reader asks."""
    return _IMAGE.sub(lambda m: f'<a href="{m[1]}" class="image-link">image: {m[2] or html.escape("(no description)")}</a>', rendered)


@dataclass
class AnswerBlocks:
    """Collects the answer's text and says what the page needs next: new or changed frozen blocks, and the tail.

    An update costs what arrived since the last one, however long the answer: the renderer
    parses only its open region, and only the blocks it froze or changed are prepared again.
    """

    chars: int = 0  # characters received
    shown: int = 0  # characters the page had at the last update
    _pieces: list[str] = field(default_factory=list)  # text received since the last update
    _renderer: MarkdownBlocks = field(default_factory=MarkdownBlocks)
    _sent: list[str] = field(default_factory=list)  # the page's frozen blocks, images made links
    _arriving_shown: bool = False  # the page shows a healed tail and a caret: the complete answer replaces them

    def add(self, piece: str) -> None:
        """Text that just arrived."""
        self._pieces.append(piece)
        self.chars += len(piece)

    @property
    def behind(self) -> bool:
        """Whether the page lacks text that has arrived, or still shows the tail as it was while arriving."""
        return self.chars != self.shown or self._arriving_shown

    def update(self, *, heal: bool = False, caret: bool = False) -> tuple[int, list[str], str, int]:
        """``(from, frozen blocks from there, tail, open characters)`` for the text so far.

        A link definition can change how earlier blocks render, and then they are sent again
        (``from`` is the first of them). While text arrives, ``heal`` and ``caret`` show the tail
        as lesson 04's view does (no half-written markup, a caret where text is arriving); the
        last update has neither.
        """
        fresh, self._pieces = "".join(self._pieces), []
        change = self._renderer.extend(fresh, heal=heal, caret=caret)
        for index in sorted(change.blocks):
            block = without_images(change.blocks[index])
            if index < len(self._sent):
                self._sent[index] = block
            else:
                self._sent.append(block)
        start = min(change.blocks, default=len(self._sent))
        self.shown, self._arriving_shown = self.chars, heal or caret
        return start, self._sent[start:], without_images(change.tail), change.open_chars
