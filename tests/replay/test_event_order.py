"""The stream grammar on good streams and on each way a stream can be broken."""

import json

import pytest

from helpers.replay.event_order import validate, validate_body
from helpers.replay.sse import frame

START = ("message_start", {"type": "message_start", "message": {"content": [], "usage": {"input_tokens": 1, "output_tokens": 1}}})


def block(i, kind="text", delta=("text_delta", "text", "hi")):
    dtype, field, value = delta
    return [
        ("content_block_start", {"type": "content_block_start", "index": i, "content_block": {"type": kind}}),
        ("content_block_delta", {"type": "content_block_delta", "index": i, "delta": {"type": dtype, field: value}}),
        ("content_block_stop", {"type": "content_block_stop", "index": i}),
    ]


END = [
    ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 3}}),
    ("message_stop", {"type": "message_stop"}),
]
PING = ("ping", {"type": "ping"})
TOOL = ("input_json_delta", "partial_json", "{}")


def test_a_good_stream_with_text_tool_and_ping_is_legal():
    verdict = validate([START, *block(0)[:1], PING, *block(0)[1:], *block(1, "tool_use", TOOL), *END])
    assert verdict.ok and verdict.ended == "message_stop" and verdict.stop_reason == "end_turn"


@pytest.mark.parametrize(
    "events, expected",
    [
        ([*block(0), *END], "comes before message_start"),
        ([START, *block(1), *END], "index 1, expected 0"),
        ([START, *block(0)[:2], *block(1), *END], "block 0 is still open"),
        ([START, *block(0)[:1], block(1)[1], *END], "the open block is 0"),
        ([START, *block(0, "text", TOOL), *END], "input_json_delta in a text block"),
        ([START, *block(0)[:2], *END], "block 0 was never stopped"),
        ([START, *block(0), END[1]], "no message_delta came before it"),
        ([START, *block(0), END[0]], "ends before message_stop"),
        ([START, START, *END], "a second message_start"),
        ([START, ("content_block_delta", {"type": "ping"}), *END], "differs from data.type"),
        ([START, (None, {"type": "message_stop"}), *END], "no `event:` line"),
        ([START, *END, PING], "after the stream ended"),
        ([], "there is no message_start"),
    ],
)
def test_each_broken_order_is_named(events, expected):
    verdict = validate(events)
    assert not verdict.ok
    assert any(expected in problem for problem in verdict.problems), verdict.problems


def test_an_error_event_ends_the_stream_legally():
    error = ("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    verdict = validate([START, *block(0), error])
    assert verdict.problems == [] and verdict.ended == "error"


def body_of(events):
    return b"".join(frame(name, json.dumps(data)) for name, data in events)


def test_body_without_final_blank_line_is_reported():
    body = body_of([START, *block(0), *END])
    assert validate_body(body).ok
    verdict = validate_body(body[:-1])
    assert any("without a blank line" in p for p in verdict.problems)
    assert verdict.ended == "truncated"


def test_invalid_json_is_reported_with_what_the_sdk_does():
    body = body_of([START]) + b"event: content_block_start\ndata: {oops\n\n"
    assert any("JSONDecodeError" in p for p in validate_body(body).problems)


def test_crlf_framing_decodes_like_lf():
    body = body_of([START, *block(0), *END])
    assert validate_body(body.replace(b"\n", b"\r\n")).ok


def test_malformed_fields_are_problems_not_crashes():
    verdict = validate(
        [
            ("message_start", {"type": "message_start", "message": "x"}),
            ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": None}),
            ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": "oops"}),
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            ("message_delta", {"type": "message_delta", "delta": [], "usage": 5}),
            ("message_stop", {"type": "message_stop"}),
        ]
    )
    assert any("message.usage is missing" in p for p in verdict.problems)
    assert any("usage.output_tokens is missing" in p for p in verdict.problems)


FALLBACK = ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "fallback"}})
STOP_0 = ("content_block_stop", {"type": "content_block_stop", "index": 0})


def test_a_fallback_block_is_a_start_and_a_stop():
    assert validate([START, FALLBACK, STOP_0, *block(1), *END]).ok


def test_a_delta_in_a_fallback_block_is_named():
    delta = ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "x"}})
    verdict = validate([START, FALLBACK, delta, STOP_0, *END])
    assert any("fallback block, which arrives whole and takes no delta" in p for p in verdict.problems)


def thinking(*deltas):
    start = ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "thinking"}})
    middle = [("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": kind}}) for kind in deltas]
    return [start, *middle, STOP_0]


@pytest.mark.parametrize(
    "deltas, problem",
    [
        ((), "had 0"),
        (("thinking_delta",), "had 0"),
        (("signature_delta", "thinking_delta"), "must be its last delta"),
        (("signature_delta", "signature_delta"), "had 2"),
    ],
)
def test_a_thinking_block_ends_with_one_signature(deltas, problem):
    verdict = validate([START, *thinking(*deltas), *END])
    assert any(problem in p for p in verdict.problems), verdict.problems


def test_omitted_thinking_is_a_signature_alone():
    assert validate([START, *thinking("signature_delta"), *block(1), *END]).ok
