"""Raw events next to what ``client.messages.stream()`` yields for each of them.

``pair_up`` takes the raw events of a stream (``client.messages.create(stream=True)``) and the
events the SDK's stream helper yielded for the same answer, and lines them up: each raw event,
then what the helper gave in its place (the same event, a replaced one, and any helper events
such as ``text`` or ``signature``). Both lists come from the SDK itself, so the table says what
the installed SDK does, not what a document says it does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

RAW_TYPES = frozenset(
    {"message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"}
)
HELPER_COLOUR, SAME_COLOUR, REPLACED_COLOUR = "#bbf7d0", "#f3f4f6", "#fde68a"


def raw_label(event: Any) -> str:
    """A raw event with the type of its block or delta: ``content_block_delta · text_delta``."""
    inner = getattr(event, "content_block", None) if event.type == "content_block_start" else getattr(event, "delta", None)
    detail = getattr(inner, "type", None) if event.type.startswith("content_block") else None
    return f"{event.type} · {detail}" if detail else str(event.type)


def helper_label(event: Any) -> str:
    """What the stream helper yielded, with the fields it adds: ``text (.text, .snapshot)``."""
    if event.type in RAW_TYPES:
        added = [name for name in ("content_block", "message") if getattr(event, name, None) is not None and event.type.endswith("stop")]
        return f"{event.type}, with .{added[0]}" if added else "the same event"
    fields = [name for name in type(event).model_fields if name != "type"]
    return f"{event.type} ({', '.join('.' + name for name in fields)})"


@dataclass(frozen=True)
class Row:
    """One raw event and what the stream helper yielded for it, in order."""

    raw: str
    helper: tuple[str, ...]


def pair_up(raw_events: Iterable[Any], helper_events: Iterable[Any]) -> list[Row]:
    """Line up each raw event with the helper's events for it; ValueError if they are not one stream."""
    groups: list[list[Any]] = []
    for event in helper_events:
        if event.type in RAW_TYPES or not groups:
            groups.append([event])
        else:
            groups[-1].append(event)
    raw = list(raw_events)
    if [event.type for event in raw] != [group[0].type for group in groups]:
        raise ValueError("the two lists are not the same stream: their raw events differ")
    return [Row(raw_label(event), tuple(helper_label(e) for e in group)) for event, group in zip(raw, groups, strict=True)]


def collapse(rows: Sequence[Row]) -> list[tuple[Row, int]]:
    """Runs of equal rows as ``(row, how many)``, so thirteen text deltas take one line."""
    return [(row, len(list(run))) for row, run in groupby(rows)]


def _cell(axes: Axes, x: float, y: float, text: str, colour: str) -> None:
    bbox = {"boxstyle": "round,pad=0.3", "facecolor": colour, "edgecolor": "#999"}
    axes.text(x, y, text, fontsize=8.5, family="monospace", va="center", bbox=bbox)


def _colour(label: str) -> str:
    if label == "the same event":
        return SAME_COLOUR
    return REPLACED_COLOUR if ", with ." in label else HELPER_COLOUR


def _draw(axes: Axes, rows: Sequence[Row], title: str) -> None:
    runs = collapse(rows)
    for line, (row, count) in enumerate(runs):
        y = len(runs) - line
        axes.text(0.0, y, row.raw + (f"  x{count}" if count > 1 else ""), fontsize=8.5, family="monospace", va="center")
        axes.annotate("", xy=(4.6, y), xytext=(4.2, y), arrowprops={"arrowstyle": "->", "color": "#666"})
        x = 4.7
        for label in row.helper:
            _cell(axes, x, y, label, _colour(label))
            x += 0.075 * len(label) + 0.4
    axes.text(0.0, len(runs) + 0.9, "raw: create(stream=True)", weight="bold", fontsize=9)
    axes.text(4.7, len(runs) + 0.9, "helper: stream()", weight="bold", fontsize=9)
    axes.set_xlim(-0.1, 11.5)
    axes.set_ylim(0.3, len(runs) + 1.4)
    axes.set_title(title, fontsize=10)
    axes.axis("off")


def plot_pairs(streams: Sequence[tuple[str, Sequence[Row]]]) -> Figure:
    """One panel per ``(title, rows)``, one above the other: raw events left, the helper's right."""
    heights = [len(collapse(rows)) + 1.6 for _, rows in streams]
    figure, axes = plt.subplots(len(streams), 1, figsize=(11, 0.27 * sum(heights) + 0.4), squeeze=False, height_ratios=heights)
    for panel, (title, rows) in zip(axes[:, 0], streams, strict=True):
        _draw(panel, rows, title)
    figure.tight_layout()
    return figure
