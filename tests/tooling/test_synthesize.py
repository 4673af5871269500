"""The synthesizer: real-capture framing, the lesson's timing facts, and every block kind."""

import itertools
import json
import random
import statistics
from pathlib import Path

import anthropic
import httpx2
import pytest

import helpers
from helpers.errors import RecordingError
from helpers.replay import recording_file
from helpers.replay.event_order import validate_body
from helpers.replay.sse import parse
from helpers.tooling.synthesize import Spec, Timing, fragments, load_spec, pseudo_tokens, synthesize, token_count

WORDS = ["streaming", "shows", "the", "answer", "while", "it", "is", "written", "so", "people", "can", "start", "reading", "early"]


def spec(blocks, stop_reason="end_turn", timing: Timing | None = None, also_blocking=False) -> Spec:
    request = {"model": "claude-sonnet-4-6", "max_tokens": 4096, "messages": [{"role": "user", "content": "x"}]}
    return Spec("t", Path("t.toml"), request, blocks, stop_reason, None, 20, timing or Timing(), "2026-11-24", 7, "", also_blocking)


def long_text(tokens: int) -> str:
    rng = random.Random(1)
    words = []
    while token_count(" ".join(words)) < tokens:
        words.append(rng.choice(WORDS) + ("." if rng.random() < 0.08 else ""))
    return " ".join(words)


def sdk_final(body: bytes) -> anthropic.types.Message:
    transport = httpx2.MockTransport(lambda r: httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body))
    client = anthropic.Anthropic(api_key="x", http_client=httpx2.Client(transport=transport))
    with client.messages.stream(model="m", max_tokens=1, messages=[]) as stream:
        return stream.get_final_message()


def test_a_500_token_answer_takes_3_to_8_seconds_with_the_first_word_under_1():
    response = synthesize(spec([{"type": "text", "text": long_text(500)}]))[0].exchanges[0].response
    first_text = next(c.at for c in response.chunks if b"text_delta" in c.data)
    assert first_text < 1.0
    assert 3.0 <= response.duration <= 8.0


def test_framing_padding_and_ping_follow_real_captures():
    body = synthesize(spec([{"type": "text", "text": long_text(200)}]))[0].exchanges[0].response.body
    events = parse(body).events
    assert [e.event for e in events[:3]] == ["message_start", "content_block_start", "ping"]
    assert [e.event for e in events].count("ping") == 1 and events[2].data == '{"type": "ping"}'
    pads = [len(e.data[:-1]) - len(e.data[:-1].rstrip(" ")) for e in events if e.event != "ping"]
    assert min(pads) == 0 and max(pads) <= 15 and len(set(pads)) > 8
    assert all(e.event == e.json()["type"] for e in events)
    assert body.endswith(b"\n\n") and validate_body(body).ok


def test_text_fragments_are_sized_like_the_apis():
    rng = random.Random(3)
    text = long_text(400)
    pieces = fragments(text, rng)
    assert "".join(pieces) == text and "".join(pseudo_tokens(text)) == text
    assert 4 <= statistics.median(len(p) for p in pieces) <= 14  # real captures: median 8, range 1-40


def test_tool_input_arrives_in_bursts_and_parses_to_the_input():
    tool_input = {"location": "Paris, France", "unit": "celsius"}
    blocks = [{"type": "text", "text": "Let me check."}, {"type": "tool_use", "name": "get_weather", "input": tool_input}]
    response = synthesize(spec(blocks, "tool_use", Timing(tool_pause=0.5)))[0].exchanges[0].response
    final = sdk_final(response.body)
    assert final.stop_reason == "tool_use" and final.content[1].input == tool_input
    assert final.content[1].id.startswith("toolu_01")
    json_chunks = [c for c in response.chunks if b"input_json_delta" in c.data]
    assert b'"partial_json":""' in json_chunks[0].data
    gaps = [b.at - a.at for a, b in itertools.pairwise(json_chunks)]
    assert sum(gap > 0.25 for gap in gaps) >= 1  # a pause before the second key/value burst
    assert validate_body(response.body).ok


def test_thinking_comes_first_and_ends_with_one_signature():
    blocks = [{"type": "thinking", "thinking": "The user wants a number. 6 times 7 is 42."}, {"type": "text", "text": "42."}]
    response = synthesize(spec(blocks))[0].exchanges[0].response
    final = sdk_final(response.body)
    assert [b.type for b in final.content] == ["thinking", "text"]
    assert final.content[0].thinking.endswith("is 42.") and len(final.content[0].signature) > 100
    kinds = [json.loads(e.data).get("delta", {}).get("type") for e in parse(response.body).events]
    assert kinds.count("signature_delta") == 1
    assert kinds.index("signature_delta") == max(i for i, k in enumerate(kinds) if k == "thinking_delta") + 1


def test_the_blocking_twin_holds_the_same_message_after_the_whole_duration():
    stream, blocking = synthesize(spec([{"type": "text", "text": long_text(100)}], also_blocking=True))
    streamed = sdk_final(stream.exchanges[0].response.body)
    message = json.loads(blocking.exchanges[0].response.body)
    assert message["content"][0]["text"] == streamed.content[0].text
    assert message["usage"]["output_tokens"] == streamed.usage.output_tokens
    assert blocking.exchanges[0].response.headers_at >= stream.exchanges[0].response.duration
    assert "stream" not in blocking.request.body and stream.request.body["stream"] is True


def test_same_spec_same_bytes():
    one = synthesize(spec([{"type": "text", "text": "Hello there."}]))[0]
    two = synthesize(spec([{"type": "text", "text": "Hello there."}]))[0]
    assert one == two


@pytest.mark.parametrize(
    "toml, expected",
    [
        ("[request]\n[response]\nstop_reason='end_turn'\n[meta]\ndate='d'\n", "'content' must be a list"),
        ("content=[{type='image'}]\n[request]\n[response]\nstop_reason='x'\n[meta]\ndate='d'\n", "content[0].type"),
        ("content=[]\n[request]\n[response]\nstop_reason='x'\n[meta]\ndate='d'\n[timing]\nspeed=2\n", "unknown timing field"),
        ("not = [toml", "not valid TOML"),
    ],
)
def test_a_bad_spec_names_the_file_and_field(tmp_path, toml, expected):
    path = tmp_path / "bad.toml"
    path.write_text(toml)
    with pytest.raises(RecordingError) as caught:
        load_spec(path)
    assert str(path) in str(caught.value) and expected in str(caught.value)


def test_failed_attempts_make_a_retry_story_the_sdk_retries_through(tmp_path):
    story = spec([{"type": "text", "text": "Back again."}])
    story.failed_attempts = [{"status": 529, "retry_after_ms": 1}]
    recording = synthesize(story)[0]
    assert [e.response.status for e in recording.exchanges] == [529, 200]
    assert json.loads(recording.exchanges[0].response.body)["error"]["type"] == "overloaded_error"
    path = recording_file.save(recording, tmp_path / "story.json")
    raw = helpers.make_client(speed=0, recording=path).messages.with_raw_response.create(**story.request, stream=True)
    assert raw.retries_taken == 1 and raw.http_response.status_code == 200
    assert "".join(e.delta.text for e in raw.parse() if e.type == "content_block_delta") == "Back again."
    with pytest.raises(anthropic.OverloadedError):
        helpers.make_client(speed=0, recording=path, max_retries=0).messages.create(**story.request, stream=True)


def test_stop_details_and_citations_reach_the_final_message():
    citation = {
        "type": "char_location",
        "cited_text": "Water boils at 100 C.",
        "document_index": 0,
        "document_title": "Notes",
        "start_char_index": 0,
        "end_char_index": 21,
    }
    refusal = spec([{"type": "text", "text": "It boils at 100 C at sea level.", "citations": [citation]}], "refusal")
    refusal.stop_details = {"type": "refusal", "category": None, "explanation": None}
    body = synthesize(refusal)[0].exchanges[0].response.body
    final = sdk_final(body)
    assert final.stop_reason == "refusal" and final.stop_details.type == "refusal"
    assert final.content[0].citations[0].cited_text == "Water boils at 100 C."
    kinds = [json.loads(e.data).get("delta", {}).get("type") for e in parse(body).events]
    assert kinds.index("citations_delta") < kinds.index("text_delta")
    assert validate_body(body).ok


def test_raw_tool_json_can_be_cut_by_max_tokens_or_be_invalid():
    cut = spec([{"type": "tool_use", "name": "get_weather", "raw_input_json": '{"city": "Paris", "days": [1, 2'}], "max_tokens")
    cut.request["max_tokens"] = 40
    final = sdk_final(synthesize(cut)[0].exchanges[0].response.body)
    assert final.content[0].input == {"city": "Paris", "days": [1, 2]} and final.usage.output_tokens == 40
    broken = spec([{"type": "tool_use", "name": "get_weather", "raw_input_json": '{"city": Paris}'}], "tool_use")
    body = synthesize(broken)[0].exchanges[0].response.body
    assert validate_body(body).ok  # the order is legal; only the JSON inside is not
    with pytest.raises(ValueError, match="Unable to parse tool parameter JSON"):
        sdk_final(body)


TABLES = "[meta]\ndate='d'\n[request]\n[response]\nstop_reason='x'\n"


@pytest.mark.parametrize(
    "toml, expected",
    [
        ("content=[{type='text'}]\n" + TABLES, "needs a string field 'text'"),
        ("content=[{type='tool_use', input={}}]\n" + TABLES, "needs a string field 'name'"),
        ("content=[]\n" + TABLES + "[timing]\nttft='fast'\n", "must be a number"),
    ],
)
def test_a_spec_missing_a_field_is_named_not_a_traceback(tmp_path, toml, expected):
    path = tmp_path / "bad.toml"
    path.write_text(toml)
    with pytest.raises(RecordingError, match=expected):
        load_spec(path)


def delta_kinds(body: bytes) -> list[str | None]:
    return [json.loads(e.data).get("delta", {}).get("type") for e in parse(body).events]


def test_omitted_thinking_streams_a_signature_and_no_text_but_takes_its_time_and_tokens():
    blocks = [{"type": "thinking", "thinking": "", "thinking_tokens": 240}, {"type": "text", "text": "42."}]
    response = synthesize(spec(blocks, timing=Timing(ttft=0.5, tokens_per_second=80, jitter=0.0)))[0].exchanges[0].response
    assert "thinking_delta" not in delta_kinds(response.body)
    final = sdk_final(response.body)
    assert final.content[0].thinking == "" and len(final.content[0].signature) > 100
    assert final.usage.output_tokens == 240 + token_count("42.")
    assert final.usage.output_tokens_details.thinking_tokens == 240
    block_start = next(c.at for c in response.chunks if b'"type":"thinking"' in c.data)
    first_text = next(c.at for c in response.chunks if b"text_delta" in c.data)
    assert block_start < 0.6 and first_text - block_start >= 240 / 80  # the first event comes long before the first text
    assert validate_body(response.body).ok


def test_a_summary_shorter_than_the_thinking_bills_the_thinking():
    blocks = [{"type": "thinking", "thinking": "Short summary.", "thinking_tokens": 100}, {"type": "text", "text": "Yes."}]
    final = sdk_final(synthesize(spec(blocks))[0].exchanges[0].response.body)
    assert final.content[0].thinking == "Short summary." and final.usage.output_tokens_details.thinking_tokens == 100


def test_eager_tool_input_streams_without_the_pause_before_each_key():
    tool_input = {"location": "Paris, France", "unit": "celsius"}
    buffered = {"type": "tool_use", "name": "get_weather", "input": tool_input}
    timing = Timing(tool_pause=0.5, tokens_per_second=80, jitter=0.0)
    for block, longest in [(buffered, 0.25), ({**buffered, "eager": True}, 0.1)]:
        response = synthesize(spec([block], "tool_use", timing))[0].exchanges[0].response
        json_chunks = [c for c in response.chunks if b"input_json_delta" in c.data]
        gaps = [b.at - a.at for a, b in itertools.pairwise(json_chunks)]
        assert (max(gaps) > longest) == (not block.get("eager")), gaps
        assert sdk_final(response.body).content[0].input == tool_input


def test_a_fallback_block_has_no_deltas_and_the_usage_is_split_per_model():
    blocks = [
        {"type": "fallback", "from": "claude-opus-4-8", "to": "claude-sonnet-5", "category": "cyber", "declined_tokens": 9},
        {"type": "text", "text": "Here is the answer."},
    ]
    body = synthesize(spec(blocks, timing=Timing(handover=0.6)))[0].exchanges[0].response.body
    events = [json.loads(e.data) for e in parse(body).events]
    start = next(e for e in events if e["type"] == "content_block_start")
    assert start["content_block"] == {
        "type": "fallback",
        "from": {"model": "claude-opus-4-8"},
        "to": {"model": "claude-sonnet-5"},
        "trigger": {"type": "refusal", "category": "cyber"},
    }
    assert not [e for e in events if e["type"] == "content_block_delta" and e["index"] == 0]
    usage = next(e for e in events if e["type"] == "message_delta")["usage"]
    hops = [(part["type"], part["model"], part["output_tokens"]) for part in usage["iterations"]]
    assert hops == [("message", "claude-opus-4-8", 9), ("fallback_message", "claude-sonnet-5", usage["output_tokens"] - 9)]
    assert validate_body(body).ok
    transport = httpx2.MockTransport(lambda r: httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body))
    client = anthropic.Anthropic(api_key="x", http_client=httpx2.Client(transport=transport))
    with client.beta.messages.stream(model="claude-opus-4-8", max_tokens=1, messages=[]) as stream:
        final = stream.get_final_message()
    assert final.model == "claude-sonnet-5" and final.content[0].type == "fallback"  # the beta helper relabels the model


@pytest.mark.parametrize(
    "block, expected",
    [
        ({"type": "thinking", "thinking": ""}, "give 'thinking_tokens'"),
        ({"type": "thinking", "thinking": "x", "thinking_tokens": 0}, "'thinking_tokens' must be"),
        ({"type": "fallback", "from": "a"}, "needs a string field 'to'"),
        ({"type": "image"}, "must be one of text, thinking, tool_use, fallback"),
    ],
)
def test_new_block_fields_are_checked(tmp_path, block, expected):
    path = tmp_path / "bad.toml"
    fields = ", ".join(f"{k}={json.dumps(v)}" for k, v in block.items())
    path.write_text(f"content=[{{{fields}}}]\n" + TABLES)
    with pytest.raises(RecordingError, match=expected):
        load_spec(path)
