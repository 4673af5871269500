"""Pictures for lesson 04: what views cost, and what a reader sees over time under each policy.

Each takes plain data (counts, or ``(seconds, text)`` arrivals from a recording) and draws it;
nothing here streams or renders live.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from helpers.views.markdown_blocks import render_markdown, render_plain
from helpers.views.reveal import POLICIES, shown_at
from helpers.views.stream_view import ViewStats

Arrivals = Sequence[tuple[float, str]]


def plot_costs(costs: Mapping[str, ViewStats], final_bytes: int) -> Figure:
    """Two bar charts, one bar per way of drawing: redraws, and kB of HTML sent (log scale)."""
    labels = list(costs)
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 0.6 * len(labels) + 1.6), sharey=True)
    left.barh(labels, [costs[label].redraws for label in labels], color="tab:blue")
    left.set_xlabel("redraws sent to the front end")
    right.barh(labels, [costs[label].bytes / 1e3 for label in labels], color="tab:orange")
    right.axvline(final_bytes / 1e3, color="black", linestyle=":", label=f"the final HTML ({final_bytes / 1e3:.1f} kB)")
    right.set_xscale("log")
    right.set_xlabel("kB of HTML sent (log scale)")
    right.legend(loc="lower right", fontsize=8)
    for axes in (left, right):
        axes.grid(axis="x", alpha=0.3)
    left.invert_yaxis()
    figure.suptitle("The same answer, four ways of drawing it")
    figure.tight_layout()
    return figure


def plot_reveal(arrivals: Arrivals, complete_at: float, caveat_at: float) -> Figure:
    """Characters a reader sees over time under each reveal policy, with the caveat's arrival marked."""
    moments = sorted({0.0, *(at for at, _ in arrivals), complete_at})
    figure, axes = plt.subplots(figsize=(9, 4.2))
    for name, policy in POLICIES.items():
        shown = [len(shown_at(arrivals, at, policy, complete_at)) for at in moments]
        axes.step(moments, shown, where="post", linewidth=2, label=name)
    axes.axvline(caveat_at, color="tab:red", linestyle="--", linewidth=1)
    axes.annotate(" first caveat arrives", xy=(caveat_at, 0.03), xycoords=("data", "axes fraction"), color="tab:red")
    axes.axvline(1.0, color="grey", linestyle=":", linewidth=1)
    axes.annotate(" 1 s", xy=(1.0, 0.03), xycoords=("data", "axes fraction"), color="grey")
    axes.set_xlabel("seconds since the request was sent")
    axes.set_ylabel("characters the reader sees")
    axes.set_title("The same medical answer under four reveal policies")
    axes.legend(loc="upper left")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    return figure


def moments_table(arrivals: Arrivals, moments: Sequence[float], complete_at: float) -> str:
    """HTML: at each moment, the end of what "after completion" and "streaming Markdown" views show."""
    rows = []
    for at in moments:
        text = shown_at(arrivals, at, POLICIES["token by token"], complete_at)
        after = render_markdown(text) if at >= complete_at else render_plain(text)
        cells = "".join(
            f'<td style="vertical-align: bottom; text-align: left">{_tail_box(part)}</td>' for part in (after, render_markdown(text))
        )
        rows.append(f"<tr><th>{at:g} s</th>{cells}</tr>")
    head = "<tr><th>moment</th><th>Markdown after completion</th><th>streaming Markdown</th></tr>"
    columns = '<colgroup><col style="width: 5em"><col><col></colgroup>'
    return f'<table style="table-layout: fixed; width: 100%">{columns}{head}{"".join(rows)}</table>'


def _tail_box(part: str) -> str:
    """The bottom of a view, as a reader watching the newest text would see it."""
    style = "max-height: 14em; overflow: hidden; display: flex; flex-direction: column-reverse; border: 1px solid #ddd; padding: 4px"
    return f'<div style="{style}"><div>{part}</div></div>'
