"""Raw markup: how often a reader of lesson 04's streaming Markdown view sees half-written syntax.

Every text answer of the course's recordings (those over 200 characters: lesson 04's Markdown
answers, the web app's, the failure and tool lessons' prose) is fed to the view's renderer a few
characters at a time (``helpers.views.markdown_frames``, the HTML ``StreamView`` shows), and
each intermediate frame is compared with the final render (``helpers.views.raw_markup``): a
frame shows raw markup if it shows more of a Markdown character outside code (a backtick, ``*``,
``|``, ``[``...) than the finished answer does, a heading the answer lacks, or an empty heading or
list item. Healed (the default view) and unhealed (the open tail as markdown-it renders it)
side by side; the final frame must equal one render of the whole text in both.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from helpers.views.markdown_frames import markdown_frames
from helpers.views.raw_markup import raw_markup, visible_markup
from helpers.views.safe_markdown import render_markdown

from .table import Result

NAME = "raw_markup"
ROOT = Path(__file__).resolve().parent.parent
SHARE_TARGET = 0.01  # at most 1% of intermediate frames show raw markup
MIN_CHARS = 200
CHUNKS = (4, 1)  # characters per redraw: about a token; and one character, the hardest case


def course_answers(specs: Path = ROOT / "fixtures" / "specs") -> dict[str, str]:
    """The text of each recorded answer of at least ``MIN_CHARS`` characters, by recording name."""
    answers = {}
    for path in sorted(specs.glob("*.toml")):
        blocks = tomllib.loads(path.read_text(encoding="utf-8")).get("content", [])
        text = "".join(block["text"] for block in blocks if block.get("type") == "text")
        if len(text) >= MIN_CHARS:
            answers[path.stem] = text
    return answers


def share_with_raw_markup(texts: list[str], chunk: int, heal: bool) -> tuple[int, int, bool]:
    """Intermediate frames with raw markup, all intermediate frames, and whether every final frame is the whole render."""
    raw = frames = 0
    finals_match = True
    for text in texts:
        final_html = render_markdown(text)
        final = visible_markup(final_html)
        shown = list(markdown_frames(text, chunk, heal=heal))
        finals_match &= shown[-1].html == final_html
        frames += len(shown) - 1
        raw += sum(bool(raw_markup(frame.html, final)) for frame in shown[:-1])
    return raw, frames, finals_match


def run(quick: bool) -> list[Result]:
    """Each chunk size, healed and not (the counts are exact: one run; ``quick`` skips 1-character pieces)."""
    texts = list(course_answers().values())
    results = []
    for chunk in CHUNKS[:1] if quick else CHUNKS:
        for heal in (False, True):
            raw, frames, finals_match = share_with_raw_markup(texts, chunk, heal)
            share = raw / frames
            label = "healed tail (default view)" if heal else "tail not healed"
            results.append(
                Result(
                    f"raw markup, {label}, {chunk} char/redraw",
                    f"{raw:,} of {frames:,} frames = {share:.2%} ({len(texts)} answers){'' if finals_match else '; FINAL HTML DIFFERS'}",
                    f"<= {SHARE_TARGET:.0%} of frames",
                    finals_match and share <= SHARE_TARGET,
                )
            )
    return results
