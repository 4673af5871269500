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


def first_change(sent: tuple[str, ...], frozen: tuple[str, ...]) -> int:
    """The index of the first frozen block the page does not hold yet (usually ``len(sent)``).

    A link definition can change how earlier blocks render, and then they are sent again.
    """
    for n, (old, new) in enumerate(zip(sent, frozen, strict=False)):
        if old != new:
            return n
    return min(len(sent), len(frozen))


@dataclass
class AnswerBlocks:
    """Collects the answer's text and says what the page needs next: new frozen blocks and the tail."""

    text: str = ""
    shown: str = ""  # the text the page had at the last update
    _renderer: MarkdownBlocks = field(default_factory=MarkdownBlocks)
    _sent: tuple[str, ...] = ()

    def add(self, piece: str) -> None:
        """Text that just arrived."""
        self.text += piece

    @property
    def behind(self) -> bool:
        """Whether text has arrived that the page has not been sent yet."""
        return self.text != self.shown

    def update(self) -> tuple[int, list[str], str, int]:
        """``(from, frozen blocks from there, tail, open characters)`` for the text so far."""
        rendered = self._renderer.update(self.text)
        frozen = tuple(without_images(block) for block in rendered.frozen)
        start = first_change(self._sent, frozen)
        self._sent, self.shown = frozen, self.text
        return start, list(frozen[start:]), without_images(rendered.tail), rendered.open_chars
