"""When each recorded chunk is due: pure arithmetic, so pacing is testable without a clock."""

from __future__ import annotations

from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


def due_at(start: float, offset: float, speed: float) -> float:
    """The absolute time a chunk recorded ``offset`` s after the request is due at ``speed``.

    Deadlines are absolute (from the request's start), never relative to the previous chunk,
    so sleep overshoot does not accumulate over a long stream. Speed 0 means due at once.
    """
    if speed == 0:
        return start
    return start + offset / speed


def delay(deadline: float, now: float) -> float:
    """How long to sleep before a deadline; never negative."""
    return max(0.0, deadline - now)


def schedule(items: Iterable[tuple[float, T]], start: float, speed: float) -> Iterator[tuple[float, float, T]]:
    """``(deadline, offset, item)`` for each ``(offset, item)`` in recorded order."""
    for offset, item in items:
        yield due_at(start, offset, speed), offset, item
