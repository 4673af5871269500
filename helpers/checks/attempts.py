"""One call of a student's function, kept as data: the value it returned, the exception it raised,
or why it was stopped. The layer below ``bounded`` (which runs such a call in a worker thread with a
deadline) and ``common`` (which turns what it gave into a verdict)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from helpers.errors import LimitReached


@dataclass(frozen=True)
class Attempt:
    """What calling the student's function gave: a value, the exception it raised, or why the check stopped it."""

    value: Any = None
    error: Exception | None = None
    stopped: str = ""  # the check's cap stopped a loop that did not end
    still_running: str = ""  # it had not returned when its time ran out: where it was, in words

    @property
    def unfinished(self) -> bool:
        """Still the shipped body: ``...``, ``pass`` (None) or ``raise NotImplementedError``."""
        if self.stopped or self.still_running:
            return False
        return isinstance(self.error, NotImplementedError) or (self.error is None and is_blank(self.value))


def is_blank(value: Any) -> bool:
    """None or ``...``: what a function body that is not written yet gives back."""
    return value is None or value is Ellipsis


def call_now(function: Callable[..., Any], *args: Any) -> Attempt:
    """Call the student's function here and now, keeping any exception as data instead of raising it."""
    try:
        return Attempt(value=function(*args))
    except Exception as err:  # a student's bug is reported, never raised
        return Attempt(error=err)
    except LimitReached as limit:
        return Attempt(stopped=str(limit))
