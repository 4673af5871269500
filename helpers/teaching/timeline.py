"""Pictures of what a reader sees over time, blocking versus streaming.

The data preparation is pure (lists in, lists out) so it is testable without matplotlib; the
drawing function only turns those curves into one labelled plot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

Arrival = tuple[float, int]
"""``(seconds since the request was sent, characters that arrived then)``."""


@dataclass(frozen=True)
class Curve:
    """Characters on screen as a step function of time, starting at ``(0, 0)``."""

    times: list[float]
    chars: list[int]

    @property
    def total(self) -> int:
        return self.chars[-1]

    @property
    def first_text_at(self) -> float | None:
        """When the screen first shows something: the time to first token for a stream."""
        return next((t for t, c in zip(self.times, self.chars, strict=True) if c > 0), None)

    @property
    def complete_at(self) -> float:
        """When the last character appeared."""
        return next(t for t, c in zip(self.times, self.chars, strict=True) if c == self.total)


def streaming_curve(arrivals: Sequence[Arrival]) -> Curve:
    """A streamed answer: every piece shows up on screen when it arrives."""
    times, chars = [0.0], [0]
    for at, count in arrivals:
        times.append(at)
        chars.append(chars[-1] + count)
    return Curve(times, chars)


def blocking_curve(total_chars: int, latency: float) -> Curve:
    """A non-streaming answer: a blank screen until the whole text arrives at once."""
    return Curve([0.0, latency], [0, total_chars])


def extended(curve: Curve, until: float) -> Curve:
    """The same curve held flat up to ``until``, so lines that finish early reach the edge."""
    if curve.times[-1] >= until:
        return curve
    return Curve([*curve.times, until], [*curve.chars, curve.chars[-1]])


def plot_visible_text(arrivals: Sequence[Arrival], blocking_latency: float, ax: Axes | None = None) -> Axes:
    """One plot, two lines: characters visible over time when streaming and when blocking.

    Marks the time to first token and when each version is complete, the two moments a reader
    notices.
    """
    import matplotlib.pyplot as plt

    stream = streaming_curve(arrivals)
    block = blocking_curve(stream.total, blocking_latency)
    edge = max(stream.times[-1], blocking_latency) * 1.04
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4.2))

    shown = extended(stream, edge)
    ax.step(shown.times, shown.chars, where="post", color="tab:blue", linewidth=2, label="streaming")
    shown = extended(block, edge)
    ax.step(shown.times, shown.chars, where="post", color="tab:orange", linewidth=2, linestyle="--", label="blocking")

    first = stream.first_text_at
    if first is not None:
        ax.axvline(first, color="tab:blue", linestyle=":", linewidth=1)
        ax.annotate(
            f"first text after {first:.2f} s\n(time to first token)",
            xy=(first, stream.chars[1]),
            xytext=(first + 0.05 * edge, 0.55 * stream.total),
            arrowprops={"arrowstyle": "->", "color": "tab:blue"},
            color="tab:blue",
        )
    ax.annotate(
        f"streaming complete: {stream.complete_at:.2f} s",
        xy=(stream.complete_at, stream.total),
        xytext=(0.72 * edge, 0.95 * stream.total),
        arrowprops={"arrowstyle": "->", "color": "tab:blue"},
        color="tab:blue",
        ha="right",
    )
    ax.annotate(
        f"blocking: blank until {blocking_latency:.2f} s,\nthen everything at once",
        xy=(blocking_latency, 0.1 * stream.total),
        xytext=(0.55 * edge, 0.07 * stream.total),
        arrowprops={"arrowstyle": "->", "color": "tab:orange"},
        color="tab:orange",
    )
    ax.set_xlim(0, edge)
    ax.set_ylim(0, stream.total * 1.05)
    ax.set_xlabel("seconds since the request was sent")
    ax.set_ylabel("characters on screen")
    ax.set_title("What the user sees: the same answer, blocking vs streaming")
    ax.legend(loc="center right")
    return ax
