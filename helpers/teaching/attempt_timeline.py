"""A picture of a retried request: each attempt as a bar on one time line, the waits between them.

The lesson's retry loop notes each attempt as an ``AttemptSpan`` (when it started and ended on
the loop's clock, how it ended, how much text it brought); this module only draws them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

COLOURS = {"ok": "tab:green", "retry": "tab:orange", "gave up": "tab:red"}


@dataclass(frozen=True)
class AttemptSpan:
    """One attempt: start and end in seconds, its outcome (``ok``, ``retry``, ``gave up``), a label."""

    start: float
    end: float
    outcome: str
    label: str


def plot_attempts(spans: Sequence[AttemptSpan], title: str) -> Figure:
    """Attempts as bars along one time axis, coloured by outcome, with each wait marked between them."""
    figure, axes = plt.subplots(figsize=(9, 2.6))
    for n, span in enumerate(spans):
        axes.barh(0, span.end - span.start, left=span.start, height=0.5, color=COLOURS.get(span.outcome, "tab:grey"))
        axes.annotate(f"attempt {n + 1}\n{span.label}", xy=((span.start + span.end) / 2, 0.3), ha="center", va="bottom", fontsize=8)
        if n + 1 < len(spans) and spans[n + 1].start > span.end:
            wait = spans[n + 1].start - span.end
            axes.annotate(
                "",
                xy=(spans[n + 1].start, 0),
                xytext=(span.end, 0),
                arrowprops={"arrowstyle": "<->", "color": "grey"},
            )
            axes.annotate(f"wait {wait:.2f} s", xy=(span.end + wait / 2, -0.45), ha="center", fontsize=8, color="grey")
    axes.set_ylim(-0.8, 1.2)
    axes.set_yticks([])
    axes.set_xlim(0, spans[-1].end * 1.03 if spans else 1)
    axes.set_xlabel("seconds since the first request (recorded times; waits as the loop chose them)")
    axes.set_title(title)
    figure.tight_layout()
    return figure
