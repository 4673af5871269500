"""The picture lesson 05 draws of one relayed answer: pieces from the model, events at the page, redraws.

``frame_times`` is pure (when a page that draws once per animation frame redraws); the drawing
function only lays the three rows of moments and the two growing totals on one figure.
Matplotlib is imported when a picture is drawn, so the server never loads it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from itertools import accumulate
from typing import TYPE_CHECKING

from helpers.replay.sse import timed_events

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FRAMES_PER_SECOND = 60.0  # a typical display; requestAnimationFrame follows the display's rate


def frame_times(arrivals: Iterable[float], fps: float = FRAMES_PER_SECOND) -> list[float]:
    """The frames a page redraws in: the first frame after each arrival, several arrivals sharing one frame."""
    return sorted({(math.floor(at * fps) + 1) / fps for at in arrivals})


def plot_relay_timeline(model: Sequence[tuple[float, str]], browser: Sequence[tuple[float, bytes]]) -> Figure:
    """``model``: (seconds, text) per piece the server read; ``browser``: (seconds, bytes) per chunk the page read.

    Both clocks start when the page sent its request.
    """
    import matplotlib.pyplot as plt

    events = [at for at, _ in timed_events(list(browser))]
    figure, (ticks, growth) = plt.subplots(2, 1, figsize=(9, 4.8), sharex=True, height_ratios=[1, 1.4])
    rows = [frame_times(events), events, [at for at, _ in model]]
    ticks.eventplot(rows, lineoffsets=[0, 1, 2], linelengths=0.7, colors=["tab:green", "tab:orange", "tab:blue"])
    ticks.set_yticks([0, 1, 2], ["page redraws", "events at the page", "pieces from the model"])
    ticks.set_title("One answer through the relay: what arrives, and when")
    growth.step(
        [0.0, *(at for at, _ in model)],
        [0, *accumulate(len(text) for _, text in model)],
        where="post",
        label="text from the model (characters)",
    )
    growth.step(
        [0.0, *(at for at, _ in browser)], [0, *accumulate(len(data) for _, data in browser)], where="post", label="bytes at the page"
    )
    growth.set_xlabel("seconds since the page sent its request")
    growth.set_ylabel("so far")
    growth.legend(loc="upper left")
    figure.tight_layout()
    return figure
