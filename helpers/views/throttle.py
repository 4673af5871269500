"""When a live view redraws: at most ``rate`` times a second, within a budget, and always at the end.

A model sends a text fragment every 10-20 ms; nobody reads faster than a few redraws a second,
and every redraw sends the view's new content to the browser. So fragments that arrive within
one interval are coalesced into the next redraw. Each redraw also sends the open block again
(a long table re-sent 20 times a second is most of what a view costs), so a *budget* caps what
is drawn and then replaced: at most ``budget`` times the characters received so far. Like
Textual's ``MarkdownStream``, a view that would cost too much redraws less often, but while text
keeps arriving it never leaves new text unshown for more than ``max_pause`` seconds: there the
reader wins over the cost. If the stream stalls, only a caller that can run a timer (``afeed``)
draws the held-back text after ``wait()`` seconds; a blocking loop draws it at the next piece.

The decisions are pure: the caller passes the time (the recording's clock under replay, so the
count of redraws is the same at any replay speed) and the sizes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DEFAULT_RATE = 20.0  # redraws per second at most
DEFAULT_BUDGET = 1.0  # characters drawn and replaced, per character received
DEFAULT_MAX_PAUSE = 0.5  # seconds new text may wait when the budget is spent


def check_rate(rate: float | None) -> None:
    """Refuse a rate that allows no redraw at all (before it divides by zero), or is not a number."""
    if rate is not None and not 0 < rate < math.inf:
        raise ValueError(f"rate={rate!r}: the most redraws per second must be a number above 0 (or None, for no limit).")


def check_budget(budget: float | None) -> None:
    """Refuse a budget no redraw could keep to, or one that is not a number."""
    if budget is not None and not 0 <= budget < math.inf:
        raise ValueError(f"budget={budget!r}: the share of text redraws may draw again must be a number >= 0 (or None, for no cap).")


def is_due(now: float, last: float | None, rate: float | None) -> bool:
    """A redraw may go out at ``now``: it is the first, there is no limit, or a full interval has passed."""
    return rate is None or last is None or now - last >= 1 / rate


def within_budget(replaced: int, received: int, budget: float | None) -> bool:
    """Redrawing would keep the characters drawn then replaced within ``budget`` per character received."""
    return budget is None or replaced <= budget * received


def max_redraws(duration: float, rate: float) -> int:
    """The most redraws a throttled view makes over ``duration`` seconds of arrivals.

    One per interval from the first arrival on, plus the final flush at the end of the stream.
    """
    return math.floor(duration * rate) + 2


@dataclass
class Throttle:
    """Remembers the last redraw and what redraws have replaced; says whether the next may go out."""

    rate: float | None = DEFAULT_RATE
    budget: float | None = DEFAULT_BUDGET
    max_pause: float = DEFAULT_MAX_PAUSE
    last: float | None = None
    replaced: int = 0  # characters drawn by earlier redraws and drawn again since
    open_chars: int = 0  # characters of the open block on screen: the next redraw draws them again

    def __post_init__(self) -> None:
        check_rate(self.rate)
        check_budget(self.budget)

    def due(self, now: float, received: int) -> bool:
        """Whether a redraw may go out at ``now``, with ``received`` characters in so far."""
        if not is_due(now, self.last, self.rate):
            return False
        overdue = self.last is not None and now - self.last >= self.max_pause
        return overdue or within_budget(self.replaced + self.open_chars, received, self.budget)

    def wait(self) -> float:
        """How long held-back text may wait for a redraw when no more arrives: ``max_pause``, or one interval if longer."""
        return max(self.max_pause, 1 / self.rate) if self.rate else self.max_pause

    def redrawn(self, now: float, open_chars: int | None) -> None:
        """A redraw went out at ``now``; if it drew the text again, its open block has ``open_chars`` characters."""
        self.last = now
        if open_chars is not None:
            self.replaced += self.open_chars
            self.open_chars = open_chars


def redraw_times(arrivals: list[float], rate: float | None) -> list[float]:
    """When a view throttled to ``rate`` redraws, given the times fragments arrive (no budget).

    Each fragment that arrives when a redraw is due triggers one; fragments that arrive in
    between wait for the next. If any are still waiting when the stream ends, a final flush
    draws them (at the last arrival).
    """
    check_rate(rate)
    last: float | None = None
    times: list[float] = []
    waiting = False
    for at in arrivals:
        waiting = not is_due(at, last, rate)
        if not waiting:
            last = at
            times.append(at)
    if waiting:
        times.append(arrivals[-1])
    return times
