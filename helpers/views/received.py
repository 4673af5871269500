"""The text a view has received: kept as it came, read in order at the cost of what is read.

A view redraws many times a second while an answer streams. Joining every piece received so far
at each redraw would cost the whole text each time, so ``Received`` hands out only what arrived
since the last read (for a reveal policy to scan) and the next stretch to show (for the
renderer); the whole text is joined only when someone asks for it.

Model text can hold lone surrogates (``"\\ud800"``): Python strings allow them, UTF-8 cannot encode
them, so a view that sends one to the front end fails. ``clean`` replaces them where text enters.
"""

from __future__ import annotations

import re
from collections import deque

_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD (a well-formed pair becomes its character)."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


class Received:
    """Text received in pieces: appending is cheap, and so is reading on from where the last read stopped."""

    def __init__(self) -> None:
        self.length = 0
        self._read: list[str] = []  # the text read so far, one chunk per read
        self._unread: list[str] = []  # pieces received since the last read
        self._untaken: deque[str] = deque()  # chunks read but not yet taken, the first from ``_taken_at`` on
        self._taken_at = 0
        self._whole = ""  # the whole text, as last joined

    def append(self, piece: str) -> None:
        """Keep the next piece."""
        self._unread.append(piece)
        self.length += len(piece)

    def read(self) -> str:
        """The text that arrived since the last read: what an incremental reveal policy scans next."""
        chunk = "".join(self._unread)
        self._unread.clear()
        if chunk:
            self._read.append(chunk)
            self._untaken.append(chunk)
        return chunk

    def take(self, count: int) -> str:
        """The ``count`` characters read but not yet taken, in order: what a redraw newly shows."""
        parts = []
        while count > 0:
            chunk = self._untaken[0]
            end = min(len(chunk), self._taken_at + count)
            parts.append(chunk[self._taken_at : end])
            count -= end - self._taken_at
            if end == len(chunk):
                self._untaken.popleft()
                self._taken_at = 0
            else:
                self._taken_at = end
        return "".join(parts)

    def text(self) -> str:
        """Everything received, joined (again only if more has arrived since)."""
        if len(self._whole) != self.length:
            self._whole = "".join([*self._read, *self._unread])
        return self._whole
