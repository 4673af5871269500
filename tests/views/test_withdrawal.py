"""The withdrawal decision: a refusal takes back the text since the last hand-over; a fallback block
takes back nothing and says who wrote what. Driven by recorded streams and by plain dicts."""

from typing import Any

import pytest

import helpers
from helpers.checks.common import recorded_request
from helpers.views.withdrawal import Handover, Withdrawal, fold, refusal_notice, step


def streamed(name: str, beta: bool = False) -> list[Any]:
    client = helpers.make_client("replay", speed=0, backup=False, fault="")
    messages = client.beta.messages if beta else client.messages
    with messages.stream(**recorded_request(name)) as stream:
        return list(stream)


def text_start(i: int) -> dict[str, Any]:
    return {"type": "content_block_start", "index": i, "content_block": {"type": "text", "text": ""}}


def fallback_start(i: int) -> dict[str, Any]:
    block = {"type": "fallback", "from": {"model": "a"}, "to": {"model": "b"}, "trigger": {"type": "refusal", "category": None}}
    return {"type": "content_block_start", "index": i, "content_block": block}


def refusal(category: str | None = "cyber", explanation: str | None = "Not this.") -> dict[str, Any]:
    details = {"type": "refusal", "category": category, "explanation": explanation}
    return {"type": "message_delta", "delta": {"stop_reason": "refusal", "stop_details": details}, "usage": {"output_tokens": 3}}


def test_a_refusal_mid_stream_withdraws_the_text_already_shown():
    state = fold(streamed("events_refusal_midstream"))
    assert state.withdrawn == (0,)
    assert state.notice is not None and "(cyber)" in state.notice and "spread malware" in state.notice


@pytest.mark.parametrize("name", ["events_sse_basics", "events_max_tokens", "tools_weather_1"])
def test_an_answer_that_is_not_refused_keeps_everything(name):
    state = fold(streamed(name))
    assert state.withdrawn == () and state.notice is None


def test_a_fallback_block_hands_over_without_taking_anything_back():
    state = fold(streamed("events_fallback", beta=True))
    assert state.withdrawn == () and state.notice is None
    assert state.handovers == (Handover(0, "claude-opus-4-8", "claude-sonnet-5", "cyber"),)
    assert state.served_by(1, "claude-opus-4-8") == "claude-sonnet-5"


def test_a_refusal_after_a_hand_over_withdraws_only_the_new_models_text():
    state = fold([text_start(0), fallback_start(1), text_start(2), refusal()])
    assert state.withdrawn == (2,) and state.served_by(0, "a") == "a" and state.served_by(2, "a") == "b"


def test_the_decision_is_made_only_when_the_refusal_arrives():
    state = Withdrawal()
    for event in [text_start(0), {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "x"}}]:
        state = step(state, event)
        assert state.withdrawn == ()
    assert step(state, refusal()).withdrawn == (0,)


@pytest.mark.parametrize(
    "category, explanation, expected",
    [
        ("cyber", "Because.", "The model declined to answer (cyber); the text shown so far was withdrawn. Because."),
        (None, None, "The model declined to answer; the text shown so far was withdrawn."),
    ],
)
def test_the_notice_says_why_when_the_api_does(category, explanation, expected):
    assert refusal_notice({"category": category, "explanation": explanation}) == expected
    assert refusal_notice(None) == "The model declined to answer; the text shown so far was withdrawn."
