"""How much of an answer to show while it is still arriving: four reveal policies.

A streamed answer is shown before it is finished, so a reader can see a statement before the
qualification that follows it (a medical or financial answer whose caveat comes last). A reveal
policy decides what part of the text received so far is shown. Each is a pure function
``(text so far, complete) -> the prefix to show``, so the same policy drives a live view and a
picture of what a reader saw at any moment of a recording.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

Reveal = Callable[[str, bool], str]

# A sentence ends at . ! or ? (not after a digit, so "1." and "3.5" do not count), after any
# closing quotes, brackets or emphasis, before white space; a line break ends one too.
_SENTENCE_END = re.compile(r"(?<![0-9])[.!?][\"')\]*_`]*(?=\s)|\n")
_PARAGRAPH_END = "\n\n"


def by_token(text: str, complete: bool) -> str:
    """Everything, as it arrives: the most responsive, and shows statements before their caveats."""
    return text


def by_sentence(text: str, complete: bool) -> str:
    """Only finished sentences (and lines): no half-sentence, but a sentence can still precede its caveat."""
    if complete:
        return text
    ends = [match.end() for match in _SENTENCE_END.finditer(text)]
    return text[: ends[-1]] if ends else ""


def by_paragraph(text: str, complete: bool) -> str:
    """Only finished paragraphs (up to the last blank line): a caveat in the same paragraph comes with it."""
    if complete:
        return text
    end = text.rfind(_PARAGRAPH_END)
    return text[: end + len(_PARAGRAPH_END)] if end >= 0 else ""


def when_complete(text: str, complete: bool) -> str:
    """Nothing until the whole answer is in: every caveat is there, at the cost of the wait."""
    return text if complete else ""


POLICIES: dict[str, Reveal] = {
    "token by token": by_token,
    "by sentence": by_sentence,
    "by paragraph": by_paragraph,
    "when complete": when_complete,
}


def shown_at(arrivals: Sequence[tuple[float, str]], at: float, reveal: Reveal, complete_at: float) -> str:
    """What a reader sees ``at`` seconds into a recording whose pieces arrived at the given times."""
    received = "".join(text for when, text in arrivals if when <= at)
    return reveal(received, at >= complete_at)
