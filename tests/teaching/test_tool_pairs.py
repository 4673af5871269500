"""The picture of one tool exchange: every result is linked to the call whose id it names, from a
real recorded reply (the SDK's blocks) or plain dicts, and a call without a result is shown."""

from __future__ import annotations

import json
from typing import Any

import matplotlib
import pytest
from matplotlib.text import Annotation

import helpers
from helpers.checks.common import recorded_request
from helpers.teaching import course_tools, tool_pairs

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def parallel() -> Any:
    """The lesson's parallel-calls reply: a text, then two get_weather calls."""
    with helpers.make_client("replay", speed=0) as client, client.messages.stream(**recorded_request("tools_trip_1")) as stream:
        return stream.get_final_message()


def results_for(calls: list[Any]) -> list[dict[str, Any]]:
    return [{"type": "tool_result", "tool_use_id": c.id, "content": json.dumps(course_tools.call_tool(c))} for c in calls]


def test_each_result_links_to_the_call_with_its_id(parallel: Any) -> None:
    calls = course_tools.tool_uses(parallel.content)
    shown = tool_pairs.exchange(parallel.content, results_for(calls[::-1]))
    assert [b.type for b in shown.calls] == ["text", "tool_use", "tool_use"]
    assert shown.links == ((2, 0), (1, 1))  # by id, whatever the order
    assert shown.unanswered == []
    assert "Tokyo" in shown.results[0].line and "Tokyo" in shown.calls[2].line


def test_a_call_without_a_result_is_unanswered(parallel: Any) -> None:
    calls = course_tools.tool_uses(parallel.content)
    shown = tool_pairs.exchange(parallel.content, results_for(calls[:1]))
    assert shown.links == ((1, 0),)
    assert shown.unanswered == [calls[1].id]


def test_result_boxes_read_every_valid_form() -> None:
    as_blocks = tool_pairs.box({"type": "tool_result", "tool_use_id": "toolu_1", "content": [{"type": "text", "text": "18 °C"}]})
    failed = tool_pairs.box({"type": "tool_result", "tool_use_id": "toolu_2", "content": "No data", "is_error": True})
    assert (as_blocks.id, as_blocks.line) == ("toolu_1", "18 °C")
    assert failed.line == "No data (is_error)"
    assert len(tool_pairs.box({"type": "text", "text": "x" * 500}).line) == tool_pairs.PREVIEW


def test_the_picture_draws_a_box_per_block_and_a_line_per_pair(parallel: Any) -> None:
    calls = course_tools.tool_uses(parallel.content)
    figure = tool_pairs.plot_exchange(parallel.content, results_for(calls[:1]), "one answered")
    (ax,) = figure.axes
    texts = [t.get_text() for t in ax.texts]
    assert sum(t.startswith(("text", "tool_use", "tool_result")) for t in texts) == 4
    assert "no result!" in texts
    assert len([t for t in ax.texts if isinstance(t, Annotation)]) == 1
    matplotlib.pyplot.close(figure)
