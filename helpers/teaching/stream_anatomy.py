"""The event grammar as a nested picture: a message holds content blocks, a block holds deltas.

``anatomy`` reduces the raw events a stream yielded (what ``client.messages.create(stream=True)``
gives) to that nesting, so the picture is drawn from a real stream, not from a diagram made by
hand; ``plot_anatomy`` draws one panel per stream.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

BLOCK_COLOURS = {"text": "#dbeafe", "tool_use": "#fde68a", "thinking": "#e9d5ff", "fallback": "#fecaca"}


@dataclass(frozen=True)
class Block:
    """One content block: its index, its type, and its deltas as ``(delta type, how many)`` in arrival order."""

    index: int
    type: str
    deltas: tuple[tuple[str, int], ...]
    stopped: bool


@dataclass(frozen=True)
class Anatomy:
    """A whole stream as the grammar nests it: the blocks, then the message-level ending."""

    blocks: tuple[Block, ...]
    message_deltas: int
    stop_reason: str | None
    stopped: bool


def anatomy(events: Iterable[Any]) -> Anatomy:
    """Nest a stream's raw events: each delta under the block with its ``index``."""
    types: dict[int, str] = {}
    deltas: dict[int, list[list[Any]]] = {}
    stopped: set[int] = set()
    message_deltas, stop_reason, ended = 0, None, False
    for event in events:
        if event.type == "content_block_start":
            types[event.index] = str(event.content_block.type)
            deltas[event.index] = []
        elif event.type == "content_block_delta":
            runs = deltas.setdefault(event.index, [])
            if runs and runs[-1][0] == event.delta.type:
                runs[-1][1] += 1
            else:
                runs.append([event.delta.type, 1])
        elif event.type == "content_block_stop":
            stopped.add(event.index)
        elif event.type == "message_delta":
            message_deltas += 1
            stop_reason = event.delta.stop_reason
        elif event.type == "message_stop":
            ended = True
    blocks = tuple(
        Block(index, types.get(index, "?"), tuple((str(kind), count) for kind, count in deltas.get(index, [])), index in stopped)
        for index in sorted(types.keys() | deltas.keys())
    )
    return Anatomy(blocks, message_deltas, stop_reason, ended)


def block_label(block: Block) -> str:
    """The header of a block's box: ``content_block_start · index 1 · tool_use``."""
    return f"content_block_start · index {block.index} · {block.type}"


def delta_label(kind: str, count: int) -> str:
    """One line per run of alike deltas, as the lesson's collapsed log writes them."""
    return f"content_block_delta · {kind}" + (f" x{count}" if count > 1 else "")


def _box(axes: Axes, x: float, y: float, width: float, height: float, colour: str, gid: str) -> None:
    patch = FancyBboxPatch((x, y), width, height, boxstyle="round,pad=0.02,rounding_size=0.12", facecolor=colour, edgecolor="#444")
    patch.set_gid(gid)
    axes.add_patch(patch)


def _draw(axes: Axes, shape: Anatomy, title: str) -> None:
    """One stream: an outer message box, a box per block inside it, a line per run of deltas."""
    line = 0.42
    heights = [1.2 + line * (len(block.deltas) + 1) for block in shape.blocks]
    total = 1.0 + sum(heights) + 0.3 * len(heights) + 1.3
    _box(axes, 0.0, 0.0, 10.0, total, "#f8fafc", "message")
    y = total - 0.45
    axes.text(0.3, y, "message_start", fontsize=9, weight="bold", va="center")
    y -= 0.5
    for block, height in zip(shape.blocks, heights, strict=True):
        y -= height
        _box(axes, 0.4, y, 9.2, height, BLOCK_COLOURS.get(block.type, "#e5e7eb"), f"block-{block.index}")
        row = y + height - 0.45
        axes.text(0.7, row, block_label(block), fontsize=9, weight="bold", va="center")
        for kind, count in block.deltas:
            row -= line
            axes.text(1.2, row, delta_label(kind, count), fontsize=8.5, va="center", family="monospace")
        if not block.deltas:
            row -= line
            axes.text(1.2, row, "(no delta: the block came whole)", fontsize=8.5, va="center", style="italic")
        row -= line
        axes.text(0.7, row, f"content_block_stop · index {block.index}" if block.stopped else "(never stopped)", fontsize=9, va="center")
        y -= 0.3
    ending = f"message_delta · stop_reason={shape.stop_reason}" if shape.message_deltas else "(no message_delta)"
    axes.text(0.3, 0.85, ending, fontsize=9, weight="bold", va="center")
    axes.text(0.3, 0.35, "message_stop" if shape.stopped else "(no message_stop)", fontsize=9, weight="bold", va="center")
    axes.set_xlim(-0.2, 10.2)
    axes.set_ylim(-0.2, total + 0.2)
    axes.set_title(title, fontsize=10)
    axes.axis("off")


def plot_anatomy(streams: Sequence[tuple[str, Anatomy]]) -> Figure:
    """One panel per ``(title, anatomy)``, side by side: the same grammar, whatever the blocks."""
    tallest = max(len(shape.blocks) * 1.5 + sum(len(b.deltas) for b in shape.blocks) * 0.42 + 2.3 for _, shape in streams)
    figure, axes = plt.subplots(1, len(streams), figsize=(5.2 * len(streams), 0.55 * tallest + 0.8), squeeze=False)
    for panel, (title, shape) in zip(axes[0], streams, strict=True):
        _draw(panel, shape, title)
    figure.tight_layout()
    return figure
