"""How much of an answer to show while it is still arriving: four reveal policies.

A streamed answer is shown before it is finished, so a reader can see a statement before the
qualification that follows it (a medical or financial answer whose caveat comes last). A reveal
policy decides what part of the text received so far is shown. Each is a pure function
``(text so far, complete) -> the prefix to show``, so the same policy drives a live view and a
picture of what a reader saw at any moment of a recording.

A live view calls its policy at every redraw. Scanning the whole text each time would make a
long answer cost the square of its length, so each built-in policy also has a *scanner* that
reads only the text that arrived since its last call (the function is that scanner, run once
over the whole text). A policy of your own is called with the whole text: that works too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol

from helpers.views.received import Received

Reveal = Callable[[str, bool], str]

# A sentence ends at . ! or ? (not after a digit, so "1." and "3.5" do not count), after any
# closing quotes, brackets or emphasis, before white space; a line break ends one too.
_CLOSERS = "[\"')\\]*_`]"
_SENTENCE_END = re.compile(rf"(?<![0-9])[.!?]{_CLOSERS}*(?=\s)|\n")
_WAITING_END = re.compile(rf"(?<![0-9])[.!?]{_CLOSERS}*\Z")  # an end still waiting for its white space
_MORE_CLOSERS = re.compile(rf"{_CLOSERS}*")
_SPACE = re.compile(r"\s")
_PARAGRAPH_END = "\n\n"


class Scanner(Protocol):
    """Reads an incomplete answer piece by piece; says how many of its characters a policy shows so far."""

    def advance(self, fresh: str) -> int: ...


class EveryCharacter:
    """``by_token``'s scanner."""

    def __init__(self) -> None:
        self._length = 0

    def advance(self, fresh: str) -> int:
        """All of it."""
        self._length += len(fresh)
        return self._length


class NoCharacter:
    """``when_complete``'s scanner."""

    def advance(self, fresh: str) -> int:
        """None of it."""
        return 0


class SentenceEnds:
    """``by_sentence``'s scanner: where the last finished sentence (or line) ends."""

    def __init__(self) -> None:
        self._length = 0
        self._end = 0
        self._last = ""  # the last character read: a full stop after a digit ends nothing
        self._waiting = False  # the text read ends with a sentence's end but not yet the white space after it

    def advance(self, fresh: str) -> int:
        """Read ``fresh``; the end of the last sentence so far."""
        window = self._last + fresh
        base = self._length - len(self._last)
        start = len(self._last)
        if self._waiting:
            start = _MORE_CLOSERS.match(window, start).end()  # type: ignore[union-attr]  # matches the empty string
            if start < len(window) and _SPACE.match(window, start):
                self._end = base + start
            self._waiting = start == len(window)
        if not self._waiting:
            for match in _SENTENCE_END.finditer(window, start):
                self._end = base + match.end()
            self._waiting = _WAITING_END.search(window, start) is not None
        self._length += len(fresh)
        self._last = window[-1:]
        return self._end


class ParagraphEnds:
    """``by_paragraph``'s scanner: where the last blank line ends."""

    def __init__(self) -> None:
        self._length = 0
        self._end = 0
        self._last = ""  # the last character read: it and the next may make a blank line

    def advance(self, fresh: str) -> int:
        """Read ``fresh``; the end of the last finished paragraph so far."""
        window = self._last + fresh
        found = window.rfind(_PARAGRAPH_END)
        if found >= 0:
            self._end = self._length - len(self._last) + found + len(_PARAGRAPH_END)
        self._length += len(fresh)
        self._last = window[-1:]
        return self._end


def by_token(text: str, complete: bool) -> str:
    """Everything, as it arrives: the most responsive, and shows statements before their caveats."""
    return text


def by_sentence(text: str, complete: bool) -> str:
    """Only finished sentences (and lines): no half-sentence, but a sentence can still precede its caveat."""
    return text if complete else text[: SentenceEnds().advance(text)]


def by_paragraph(text: str, complete: bool) -> str:
    """Only finished paragraphs (up to the last blank line): a caveat in the same paragraph comes with it."""
    return text if complete else text[: ParagraphEnds().advance(text)]


def when_complete(text: str, complete: bool) -> str:
    """Nothing until the whole answer is in: every caveat is there, at the cost of the wait."""
    return text if complete else ""


POLICIES: dict[str, Reveal] = {
    "token by token": by_token,
    "by sentence": by_sentence,
    "by paragraph": by_paragraph,
    "when complete": when_complete,
}
_SCANNERS: dict[Reveal, Callable[[], Scanner]] = {
    by_token: EveryCharacter,
    by_sentence: SentenceEnds,
    by_paragraph: ParagraphEnds,
    when_complete: NoCharacter,
}


def shown_at(arrivals: Sequence[tuple[float, str]], at: float, reveal: Reveal, complete_at: float) -> str:
    """What a reader sees ``at`` seconds into a recording whose pieces arrived at the given times."""
    received = "".join(text for when, text in arrivals if when <= at)
    return reveal(received, at >= complete_at)


class Revealed:
    """What a policy shows of text that keeps arriving: at each redraw, only what it newly shows.

    A built-in policy's scanner reads only the text that arrived since the last redraw. Any other
    policy is called with the whole text; if it shows other text than before, not more of it,
    ``advance`` says to start over.
    """

    def __init__(self, policy: Reveal, received: Received) -> None:
        self._policy = policy
        self._received = received
        make = _SCANNERS.get(policy)
        self._scanner = make() if make else None
        self._shown = ""  # what a policy of your own showed last
        self.shown = 0  # characters shown

    def advance(self, complete: bool) -> tuple[str, bool]:
        """The text to show after what is shown, and whether it replaces what is shown instead."""
        if self._scanner is None:
            visible = self._policy(self._received.text(), complete)
            again = not visible.startswith(self._shown)
            fresh = visible if again else visible[len(self._shown) :]
            self._shown, self.shown = visible, len(visible)
            return fresh, again
        fresh = self._received.read()
        end = self._received.length if complete else self._scanner.advance(fresh)
        shown, self.shown = self.shown, end
        return self._received.take(end - shown), False

    def text(self) -> str:
        """Everything shown so far."""
        return self._shown if self._scanner is None else self._received.text()[: self.shown]
