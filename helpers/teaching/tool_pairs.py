"""A picture of one tool exchange: the assistant turn's blocks on the left, the user turn's on the
right, and a line from each ``tool_result`` to the ``tool_use`` whose id it names.

Lesson 03 says results are paired with calls by id, not by name or position; this draws it from a
real exchange. ``exchange`` (pure: blocks in, boxes and links out) is testable without matplotlib;
``plot_exchange`` only draws what it returns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from helpers.teaching.course_tools import describe_call

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PREVIEW = 54  # characters of a text or a result shown in its box


@dataclass(frozen=True)
class Box:
    """One content block as drawn: its type, the id it carries (a call's ``id`` or a result's ``tool_use_id``), a line of content."""

    type: str
    id: str
    line: str


@dataclass(frozen=True)
class Exchange:
    """Both turns' boxes, and which result answers which call: ``(call box index, result box index)``."""

    calls: tuple[Box, ...]
    results: tuple[Box, ...]
    links: tuple[tuple[int, int], ...]

    @property
    def unanswered(self) -> list[str]:
        """Ids of tool_use blocks no result names: the API would reject the next request."""
        answered = {i for i, _ in self.links}
        return [box.id for n, box in enumerate(self.calls) if box.type == "tool_use" and n not in answered]


def _field(block: Any, name: str, default: Any = "") -> Any:
    """A field of a content block, from the SDK's object or a plain dict."""
    return block.get(name, default) if isinstance(block, dict) else getattr(block, name, default)


def _short(text: str) -> str:
    return text if len(text) <= PREVIEW else text[: PREVIEW - 1] + "…"


def _content_line(content: Any) -> str:
    """A result's content as one short line: the string, or the text of its text blocks."""
    if isinstance(content, list):
        content = "".join(str(_field(block, "text")) for block in content)
    return _short(content if isinstance(content, str) else json.dumps(content, default=repr))


def box(block: Any) -> Box:
    """How one content block of either turn is drawn."""
    kind = str(_field(block, "type"))
    if kind == "tool_use":
        return Box(kind, str(_field(block, "id")), _short(describe_call(block)))
    if kind == "tool_result":
        error = " (is_error)" if _field(block, "is_error", False) else ""
        return Box(kind, str(_field(block, "tool_use_id")), _content_line(_field(block, "content")) + error)
    return Box(kind, "", _short(str(_field(block, "text")).replace("\n", " ")))


def exchange(assistant_content: Iterable[Any], user_content: Iterable[Any]) -> Exchange:
    """The boxes of an assistant turn and the user turn that answers it, linked where a result names a call's id."""
    calls = tuple(box(block) for block in assistant_content)
    results = tuple(box(block) for block in user_content)
    links = tuple(
        (i, j)
        for j, result in enumerate(results)
        if result.type == "tool_result"
        for i, call in enumerate(calls)
        if call.type == "tool_use" and call.id == result.id
    )
    return Exchange(calls, results, links)


def plot_exchange(assistant_content: Iterable[Any], user_content: Iterable[Any], title: str) -> Figure:
    """Two columns of blocks, the assistant's turn and the user's, with a line for each result joined to its call by id."""
    import matplotlib.pyplot as plt

    shown = exchange(assistant_content, user_content)
    rows = max(len(shown.calls), len(shown.results), 1)
    figure, ax = plt.subplots(figsize=(12, 1.1 + 0.9 * rows))
    ax.set_xlim(0, 8.6)
    ax.set_ylim(rows - 0.4, -0.9)
    ax.axis("off")
    colours = plt.get_cmap("tab10")
    paired = {i: n for n, (i, _) in enumerate(shown.links)}
    answered = {j: n for n, (_, j) in enumerate(shown.links)}
    drawn: dict[str, list[Any]] = {"left": [], "right": []}
    for side, x, heading, boxes, colour_of in (
        ("left", 0.1, "assistant turn (the reply)", shown.calls, paired),
        ("right", 4.6, "user turn (your results)", shown.results, answered),
    ):
        ax.text(x, -0.65, heading, fontsize=11, fontweight="bold")
        for row, item in enumerate(boxes):
            colour = colours(colour_of[row] % 10) if row in colour_of else "0.55"
            name = f"{item.type}  {item.id}" if item.id else item.type
            drawn[side].append(
                ax.text(
                    x,
                    row,
                    f"{name}\n{item.line}",
                    fontsize=8.5,
                    family="monospace",
                    va="center",
                    bbox={"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": colour, "linewidth": 2},
                )
            )
    ax.set_title(title, loc="left")
    figure.tight_layout()
    figure.canvas.draw()  # the boxes' sizes are known only once drawn: the lines run from edge to edge
    to_data = ax.transData.inverted()
    right_edge = max((to_data.transform(t.get_bbox_patch().get_window_extent())[1][0] for t in drawn["left"]), default=4.0)
    left_edge = min((to_data.transform(t.get_bbox_patch().get_window_extent())[0][0] for t in drawn["right"]), default=4.6)
    for n, (i, j) in enumerate(shown.links):
        ax.annotate(
            "",
            xy=(right_edge + 0.05, i),
            xytext=(left_edge - 0.05, j),
            arrowprops={"arrowstyle": "->", "color": colours(n % 10), "linewidth": 2},
        )
    for row in (n for n, item in enumerate(shown.calls) if item.id in shown.unanswered):
        ax.text(right_edge + 0.1, row, "no result!", color="tab:red", fontsize=9, va="center")
    return figure
