"""What POST /api/stream accepts: each kind of bad body gets its status and names its field."""

from __future__ import annotations

import json

import pytest

from helpers.web.request_body import BadRequest, Limits, parse_conversation

LIMITS = Limits(max_chars=100, max_messages=3)


def refused(body: object | bytes) -> BadRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    with pytest.raises(BadRequest) as caught:
        parse_conversation(raw, LIMITS)
    return caught.value


def test_a_conversation_that_ends_with_the_user_is_accepted_as_sent():
    messages = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "More"}]
    assert parse_conversation(json.dumps({"messages": messages}).encode(), LIMITS) == messages


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (b"{not json", 400, "body"),
        (b"\xff\xfe", 400, "body"),
        ([1, 2], 422, "body"),
        ({}, 422, "messages"),
        ({"messages": []}, 422, "messages"),
        ({"messages": "Hi"}, 422, "messages"),
        ({"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 64000}, 422, "max_tokens"),
        ({"messages": ["Hi"]}, 422, "messages[0]"),
        ({"messages": [{"role": "system", "content": "Hi"}]}, 422, "messages[0].role"),
        ({"messages": [{"role": "user"}]}, 422, "messages[0].content"),
        ({"messages": [{"role": "user", "content": "   "}]}, 422, "messages[0].content"),
        ({"messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]}, 422, "messages[0].content"),
        ({"messages": [{"role": "user", "content": "Hi", "name": "x"}]}, 422, "messages[0].name"),
        ({"messages": [{"role": "assistant", "content": "Hi"}]}, 422, "messages[0].role"),
        ({"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]}, 422, "messages[1].role"),
        ({"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}, 422, "messages[1].role"),
        ({"messages": [{"role": "user", "content": "x" * 101}]}, 413, "messages"),
        ({"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}] * 2}, 413, "messages"),
    ],
)
def test_each_bad_body_gets_its_status_and_names_the_field(body, status, field):
    error = refused(body)
    assert (error.status, error.field) == (status, field)
    assert error.body()["error"]["field"] == field
    assert error.message and "Traceback" not in error.message


def test_the_length_limit_counts_every_message_and_allows_exactly_the_limit():
    half = "x" * 50
    ok = {"messages": [{"role": "user", "content": half}, {"role": "assistant", "content": half[:-1]}, {"role": "user", "content": "y"}]}
    assert len(parse_conversation(json.dumps(ok).encode(), LIMITS)) == 3
    ok["messages"][2]["content"] = "yz"
    assert refused(ok).status == 413
