"""What a streaming Markdown view shows at each redraw, for any Markdown text: no kernel, no widgets.

``python -m helpers render-frames FILE.md`` prints these frames, and the raw-markup benchmark
counts them, so the HTML they hold is the HTML ``StreamView`` puts in its slots: the frozen
blocks, then the open tail (healed, with the caret, while text is still arriving).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from helpers.views.markdown_blocks import MarkdownBlocks


@dataclass(frozen=True)
class Frame:
    """One redraw: how many characters had arrived, the HTML shown, and whether the answer was complete."""

    chars: int
    html: str
    final: bool


def markdown_frames(text: str, chunk: int = 4, *, heal: bool = True) -> Iterator[Frame]:
    """Each redraw of a view fed ``text`` ``chunk`` characters at a time, the last one after the answer is complete.

    ``heal=False`` shows the open tail as markdown-it renders it, raw markup and all, for comparison.
    """
    if chunk < 1:
        raise ValueError(f"chunk={chunk}: feed at least 1 character per redraw.")
    renderer = MarkdownBlocks()
    for start in range(0, len(text), chunk):
        change = renderer.extend(text[start : start + chunk], heal=heal, caret=heal)
        yield Frame(renderer.received, "".join(renderer.frozen) + change.tail, final=False)
    change = renderer.extend("")
    yield Frame(renderer.received, "".join(renderer.frozen) + change.tail, final=True)
