"""Raw markup in a streamed frame: Markdown syntax a reader sees that the finished answer does not show.

A frame of a streaming view shows a prefix of the answer. Rendered well, it shows no more of any
markup character than the finished render does, no heading the finished render lacks, and no
empty heading or list item. So a frame is compared with the final HTML, not judged on its own:
an answer that really talks about ``**kwargs`` (outside code) shows those stars in both.
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

# Characters that are Markdown syntax when an open construct shows them raw.
MARKUP_CHARACTERS = "*_~`[]|\\!#"
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_MAY_BE_EMPTY = _HEADINGS | {"li"}
_CODE = frozenset({"code", "pre"})
CARET_CLASS = "course-caret"


class _Visible(HTMLParser):
    """Counts what a reader sees: markup characters in text outside code, headings, empty headings or items."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.seen: Counter[str] = Counter()
        self._code = 0
        self._caret = 0
        self._open: list[list[object]] = []  # [tag, has content] for each open heading or list item

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _CODE:
            self._code += 1
        if tag == "span" and any(name == "class" and value == CARET_CLASS for name, value in attrs):
            self._caret += 1
        if tag in _HEADINGS:
            self.seen[f"<{tag}>"] += 1
        if tag == "img":
            self._mark_content()
        if tag in _MAY_BE_EMPTY:
            self._open.append([tag, False])
        elif tag in ("hr", "table"):
            self.seen[f"<{tag}>"] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _CODE:
            self._code -= 1
        if tag == "span" and self._caret:
            self._caret -= 1
        if tag in _MAY_BE_EMPTY and self._open and self._open[-1][0] == tag:
            opened, has_content = self._open.pop()
            if not has_content:
                self.seen[f"empty <{opened}>"] += 1

    def handle_data(self, data: str) -> None:
        if self._caret:
            return
        if data.strip():
            self._mark_content()
        if not self._code:
            self.seen.update(character for character in data if character in MARKUP_CHARACTERS)

    def _mark_content(self) -> None:
        for entry in self._open:
            entry[1] = True


def visible_markup(html_text: str) -> Counter[str]:
    """What of ``html_text`` could be raw markup: each markup character outside code, headings, empty items."""
    parser = _Visible()
    parser.feed(html_text)
    parser.close()
    return parser.seen


def raw_markup(frame: str, final: Counter[str]) -> list[str]:
    """What ``frame`` shows raw, given ``visible_markup`` of the final HTML: empty list means none."""
    shown = visible_markup(frame)
    return sorted(kind for kind, count in shown.items() if kind.startswith("empty") or count > final[kind])
