"""Lesson 02's pictures of structure: the nesting of a real stream, and the raw events next to the
stream helper's, both read from recordings by the real SDK through a replay client."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import matplotlib
import pytest

import helpers
from helpers.checks.common import recorded_request
from helpers.teaching import helper_events, stream_anatomy

matplotlib.use("Agg")


def both_ways(name: str) -> tuple[list[Any], list[Any]]:
    """The raw events of a recording, and what client.messages.stream() yields for the same answer."""
    request = recorded_request(name)
    with helpers.make_client("replay", speed=0) as client:
        raw = list(client.messages.create(**request, stream=True))
        with client.messages.stream(**request) as stream:
            return raw, list(stream)


def texts(figure: Any) -> list[str]:
    return [text.get_text() for axes in figure.axes for text in axes.texts]


@pytest.mark.parametrize("name", ["events_thinking", "events_tool_use", "events_citations"])
def test_each_delta_sits_under_the_block_with_its_index(name: str) -> None:
    raw, _ = both_ways(name)
    shape = stream_anatomy.anatomy(raw)
    starts = [e for e in raw if e.type == "content_block_start"]
    assert [(b.index, b.type) for b in shape.blocks] == [(e.index, e.content_block.type) for e in starts]
    for block in shape.blocks:
        mine = Counter({kind: 0 for kind, _ in block.deltas})
        for kind, count in block.deltas:
            mine[kind] += count
        assert mine == Counter(e.delta.type for e in raw if e.type == "content_block_delta" and e.index == block.index)
        assert block.stopped
    final = raw[-2]
    assert (shape.message_deltas, shape.stop_reason, shape.stopped) == (1, final.delta.stop_reason, True)


def test_a_cut_stream_shows_what_never_came() -> None:
    raw, _ = both_ways("events_tool_use")
    shape = stream_anatomy.anatomy(raw[:-4])  # cut inside the tool_use block
    assert shape.blocks[-1].type == "tool_use" and not shape.blocks[-1].stopped
    assert (shape.message_deltas, shape.stop_reason, shape.stopped) == (0, None, False)
    words = texts(stream_anatomy.plot_anatomy([("cut", shape)]))
    assert "(never stopped)" in words and "(no message_delta)" in words and "(no message_stop)" in words


def test_the_picture_has_one_box_per_block_labelled_with_its_index() -> None:
    thinking, tool = (stream_anatomy.anatomy(both_ways(name)[0]) for name in ("events_thinking", "events_tool_use"))
    figure = stream_anatomy.plot_anatomy([("thinking", thinking), ("tool", tool)])
    for axes, shape in zip(figure.axes, (thinking, tool), strict=True):
        boxes = [patch.get_gid() for patch in axes.patches]
        assert boxes == ["message"] + [f"block-{block.index}" for block in shape.blocks]
        words = [text.get_text() for text in axes.texts]
        assert [w for w in words if w.startswith("content_block_start")] == [stream_anatomy.block_label(b) for b in shape.blocks]
        assert f"message_delta · stop_reason={shape.stop_reason}" in words
    assert "content_block_delta · thinking_delta x21" in texts(figure)


@pytest.mark.parametrize("name", ["events_thinking", "events_tool_use", "events_citations"])
def test_each_raw_event_is_paired_with_what_the_stream_helper_yielded_for_it(name: str) -> None:
    raw, helped = both_ways(name)
    rows = helper_events.pair_up(raw, helped)
    assert [row.raw for row in rows] == [helper_events.raw_label(e) for e in raw]
    assert sum(len(row.helper) for row in rows) == len(helped)
    added = {e.type for e in helped} - helper_events.RAW_TYPES
    for row in rows:
        delta = row.raw.removeprefix("content_block_delta · ")
        extra = [label.split(" ")[0] for label in row.helper[1:]]
        if row.raw.startswith("content_block_delta"):
            # every delta is passed on, and followed by the helper event of its own kind
            expected = {"text_delta": "text", "input_json_delta": "input_json", "thinking_delta": "thinking"}
            expected |= {"signature_delta": "signature", "citations_delta": "citation"}
            assert row.helper[0] == "the same event" and extra == [expected[delta]]
        else:
            assert extra == []
    assert added == {label.split(" ")[0] for row in rows for label in row.helper[1:]}
    stops = [row.helper[0] for row in rows if row.raw in ("content_block_stop", "message_stop")]
    assert set(stops) == {"content_block_stop, with .content_block", "message_stop, with .message"}


def test_helper_event_fields_are_read_from_the_sdk() -> None:
    raw, helped = both_ways("events_tool_use")
    labels = {label for row in helper_events.pair_up(raw, helped) for label in row.helper}
    assert "input_json (.partial_json, .snapshot)" in labels and "text (.text, .snapshot)" in labels


def test_two_different_streams_are_refused() -> None:
    raw, _ = both_ways("events_thinking")
    _, helped = both_ways("events_tool_use")
    with pytest.raises(ValueError, match="not the same stream"):
        helper_events.pair_up(raw, helped)


def test_the_side_by_side_picture_draws_one_line_per_run() -> None:
    raw, helped = both_ways("events_thinking")
    rows = helper_events.pair_up(raw, helped)
    figure = helper_events.plot_pairs([("thinking", rows)])
    words = texts(figure)
    runs = helper_events.collapse(rows)
    labels = [helper_events.raw_label(e) for e in raw]
    assert len(runs) == 1 + sum(a != b for a, b in itertools.pairwise(labels)) == 10
    drawn = [w for w in words if (w.split(" ")[0] in helper_events.RAW_TYPES and "·" in w) or w in helper_events.RAW_TYPES]
    assert drawn == [row.raw + (f"  x{count}" if count > 1 else "") for row, count in runs]
    assert words.count("signature (.signature)") == 1 and words.count("thinking (.thinking, .snapshot)") == 1
