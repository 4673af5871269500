"""A picture of what pressing Stop does, for lesson 04: from the click to the partial text kept.

Two parts on one figure: the pieces of a recorded answer on a time line, those read before Stop
and those never read after it; and the chain of steps Stop sets off, in the order they happen.
It takes plain data (``(seconds, text)`` arrivals and the moment reading stopped) and draws it.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

# Each step of the Stop path: what happens, and the line of code (or the state) that shows it.
STEPS = (
    ("Stop\nclicked", "view.stop(), or\nstop.set()"),
    ("reading task\ncancelled", "reading.cancel():\nCancelledError where\nit awaits the network"),
    ("`async with`\nexits", "stream.close()"),
    ("HTTP response\nclosed", "stream.response\n.is_closed: nothing\nmore is read"),
    ("partial text kept,\nmarked as cut", "view.finish(cut=True)"),
)


def plot_stop_path(arrivals: Sequence[tuple[float, str]], stopped_at: float) -> Figure:
    """The pieces read before Stop and those never read, above the chain of steps Stop sets off."""
    read = [at for at, _ in arrivals if at <= stopped_at]
    never = [at for at, _ in arrivals if at > stopped_at]
    kept = sum(len(text) for at, text in arrivals if at <= stopped_at)
    total = sum(len(text) for _, text in arrivals)
    figure, (line, chain) = plt.subplots(2, 1, figsize=(10, 4.6), gridspec_kw={"height_ratios": [1, 1.3]})

    line.vlines(read, 0, 1, color="tab:blue", linewidth=1, label=f"read and shown ({_pieces(len(read))}, {kept:,} characters)")
    line.vlines(never, 0, 1, color="lightgrey", linewidth=1, label=f"never read ({_pieces(len(never))}, {total - kept:,} characters)")
    line.axvline(stopped_at, color="tab:red", linewidth=2)
    line.annotate(f" Stop, {stopped_at:.2f} s", xy=(stopped_at, 1.05), color="tab:red", annotation_clip=False)
    line.set_yticks([])
    line.set_ylim(0, 1.7)
    line.set_xlabel("seconds since the request was sent (the recording's clock)")
    line.legend(loc="upper right", fontsize=8, frameon=False)
    line.set_title("What pressing Stop does")

    chain.set_xlim(0, len(STEPS))
    chain.set_ylim(0, 1)
    chain.axis("off")
    for number, (what, code) in enumerate(STEPS):
        chain.text(
            number + 0.5,
            0.7,
            what,
            ha="center",
            va="center",
            fontsize=9.5,
            weight="bold",
            bbox={"boxstyle": "round,pad=0.5", "facecolor": "mistyrose" if number == 0 else "aliceblue", "edgecolor": "grey"},
        )
        chain.text(number + 0.5, 0.2, code, ha="center", va="center", fontsize=8, family="monospace", color="dimgrey")
        if number:
            chain.annotate("", xy=(number + 0.12, 0.7), xytext=(number - 0.12, 0.7), arrowprops={"arrowstyle": "->", "color": "grey"})
    figure.tight_layout()
    return figure


def _pieces(count: int) -> str:
    return f"{count} piece" if count == 1 else f"{count} pieces"
