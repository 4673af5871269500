"""Replay through the real SDK: sync and async, streaming and not, retries, and errors."""

import json
import time
import tomllib
from pathlib import Path

import anthropic
import httpx2
import pytest
from paths import ROOT

import helpers
from helpers.replay import recording_file
from helpers.replay.library import RecordingLibrary
from helpers.replay.recording_file import Chunk, Exchange, RecordedRequest, RecordedResponse, Recording
from helpers.replay.sse import frame
from helpers.replay.stopwatch import Stopwatch
from helpers.replay.transport import ReplayTransport

SPEC = tomllib.loads((ROOT / "fixtures/specs/short_summary.toml").read_text())
REQUEST = SPEC["request"]
TEXT = SPEC["content"][0]["text"]


def test_stream_replays_the_recorded_text_and_usage():
    client = helpers.make_client(speed=0)
    with client.messages.stream(**REQUEST) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert len(pieces) > 20 and "".join(pieces) == TEXT
    assert final.stop_reason == "end_turn" and final.usage.output_tokens > 100
    assert stream.request_id.startswith("req_")


def test_stopwatch_reads_the_recording_clock_at_any_speed():
    recording = recording_file.load(ROOT / "fixtures/short_summary.json").exchanges[0].response
    client = helpers.make_client(speed=0)
    watch = helpers.stopwatch(client)
    with client.messages.stream(**REQUEST) as stream:
        first = None
        for _ in stream.text_stream:
            first = first if first is not None else watch.elapsed()
    first_delta = next(c.at for c in recording.chunks if b"text_delta" in c.data)
    assert first == pytest.approx(first_delta)
    assert watch.elapsed() == pytest.approx(recording.duration)


@pytest.mark.anyio
async def test_async_client_replays_the_same_text():
    client = helpers.make_async_client(speed=0)
    async with client.messages.stream(**REQUEST) as stream:
        pieces = [text async for text in stream.text_stream]
        final = await stream.get_final_message()
    assert "".join(pieces) == TEXT == final.content[0].text


def test_raw_create_stream_yields_every_event_type_in_order():
    client = helpers.make_client(speed=0)
    events = [event.type for event in client.messages.create(**REQUEST, stream=True)]
    assert events[:2] == ["message_start", "content_block_start"]
    assert events[-3:] == ["content_block_stop", "message_delta", "message_stop"]


def test_non_streaming_call_gets_the_recorded_json():
    doc = tomllib.loads((ROOT / "fixtures/specs/doc_generator.toml").read_text())
    message = helpers.make_client(speed=0).messages.create(**doc["request"])
    assert isinstance(message, anthropic.types.Message)
    assert message.content[0].text == doc["content"][0]["text"]


def test_changed_request_fails_with_a_clear_message():
    edited = {**REQUEST, "messages": [{"role": "user", "content": "Write a long summary."}]}
    with pytest.raises(helpers.NoRecordingError) as caught:
        helpers.make_client(speed=0).messages.create(**edited, stream=True)
    message = str(caught.value)
    assert "short_summary.json" in message and "messages[0].content" in message
    assert "Write a long summary." in message and "ANTHROPIC_API_KEY" in message


def _tiny_stream(at: float) -> list[Chunk]:
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 3, "output_tokens": 1},
    }
    events = [
        ("message_start", {"type": "message_start", "message": message}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "ok"}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": {"output_tokens": 2}},
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    return [Chunk(at * (n + 1) / len(events), frame(name, json.dumps(data))) for n, (name, data) in enumerate(events)]


def _save_story(tmp_path: Path, exchanges: list[RecordedResponse]) -> Path:
    body = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}], "stream": True}
    story = Recording({"source": "synthesized"}, [Exchange(RecordedRequest("POST", "/v1/messages", body), r) for r in exchanges])
    return recording_file.save(story, tmp_path / "story.json")


def test_retry_story_serves_one_recorded_attempt_per_sdk_retry(tmp_path):
    overloaded = json.dumps({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}).encode()
    busy = RecordedResponse(529, {"content-type": "application/json", "retry-after-ms": "1"}, 0.01, [Chunk(0.01, overloaded)])
    ok = RecordedResponse(200, {"content-type": "text/event-stream"}, 0.01, _tiny_stream(0.02))
    path = _save_story(tmp_path, [busy, busy, ok])
    client = helpers.make_client(speed=0, recording=path)
    with client.messages.stream(model="m", max_tokens=5, messages=[{"role": "user", "content": "x"}]) as stream:
        assert stream.get_final_text() == "ok"
    with pytest.raises(anthropic.OverloadedError):
        helpers.make_client(speed=0, recording=path, max_retries=1).messages.create(
            model="m", max_tokens=5, messages=[{"role": "user", "content": "x"}], stream=True
        )


def test_speed_one_waits_for_the_recorded_offsets(tmp_path):
    path = _save_story(tmp_path, [RecordedResponse(200, {"content-type": "text/event-stream"}, 0.05, _tiny_stream(0.3))])
    started = time.perf_counter()
    with helpers.make_client(speed=1, recording=path).messages.stream(model="m", max_tokens=5, messages=[]) as stream:
        stream.until_done()
    assert time.perf_counter() - started >= 0.3


def test_bad_settings_say_what_to_do(monkeypatch):
    with pytest.raises(helpers.ConfigError, match="COURSE_REPLAY_SPEED"):
        helpers.make_client(speed="fast")
    with pytest.raises(helpers.ConfigError, match="one of: auto, replay, live, record"):
        helpers.make_client(mode="offline")
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(helpers.ConfigError, match="needs ANTHROPIC_API_KEY"):
        helpers.make_client(mode="live")


def test_status_line_names_mode_model_speed_and_provenance():
    line = helpers.status_line(helpers.make_client(speed=2))
    assert "replay" in line and helpers.MODEL in line and "2x" in line and "synthesized" in line


def test_reading_after_the_stream_is_closed_fails_as_on_a_real_connection():
    client = helpers.make_client(speed=0)
    with client.messages.stream(**REQUEST) as stream:
        for _ in zip(range(3), stream.text_stream, strict=False):
            pass
    with pytest.raises(httpx2.ReadError):
        stream.get_final_message()


def test_a_body_that_is_not_json_gets_a_clear_error_not_a_connection_error():
    client = helpers.make_client(speed=0, max_retries=0)
    with pytest.raises(helpers.NoRecordingError, match="JSON requests only"):
        client.post("/v1/messages", cast_to=object, content=b"\x00binary")


def test_another_endpoint_is_named_with_what_to_do():
    with pytest.raises(helpers.NoRecordingError) as caught:
        helpers.make_client(speed=0).models.list()
    message = str(caught.value)
    assert "GET /v1/models" in message and "POST /v1/messages" in message and "undo" not in message


def test_stopwatch_reads_the_same_recording_clock_at_speed_8():
    recording = recording_file.load(ROOT / "fixtures/short_summary.json").exchanges[0].response
    client = helpers.make_client(speed=8)
    with client.messages.stream(**REQUEST) as stream:
        stream.until_done()
    assert helpers.stopwatch(client).elapsed() == pytest.approx(recording.duration)


@pytest.mark.anyio
async def test_async_replay_is_paced_too(tmp_path):
    path = _save_story(tmp_path, [RecordedResponse(200, {"content-type": "text/event-stream"}, 0.05, _tiny_stream(0.3))])
    client = helpers.make_async_client(speed=1, recording=path)
    started = time.perf_counter()
    async with client.messages.stream(model="m", max_tokens=5, messages=[]) as stream:
        assert await stream.get_final_text() == "ok"
    assert time.perf_counter() - started >= 0.3


def test_a_retry_story_at_speed_0_serves_a_scaled_retry_after(tmp_path):
    overloaded = json.dumps({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}).encode()
    busy = RecordedResponse(529, {"content-type": "application/json", "retry-after": "3"}, 0.01, [Chunk(0.01, overloaded)])
    path = _save_story(tmp_path, [busy, RecordedResponse(200, {"content-type": "text/event-stream"}, 0.01, _tiny_stream(0.02))])
    transport = ReplayTransport(RecordingLibrary.single(path, tmp_path), 0, Stopwatch(True))
    request = httpx2.Request("POST", "https://api.anthropic.com/v1/messages", json={"messages": []})
    response = transport.handle_request(request)
    assert response.status_code == 529 and response.headers["retry-after-ms"] == "1" and "retry-after" not in response.headers


def test_copies_of_a_client_share_its_stopwatch_and_status():
    client = helpers.make_client(speed=0)
    copy = client.with_options(max_retries=0)
    assert helpers.stopwatch(copy) is helpers.stopwatch(client)
    assert helpers.status_line(copy) == helpers.status_line(client)
    with pytest.raises(TypeError, match=r"not made by helpers\.make_client"):
        helpers.stopwatch(anthropic.Anthropic(api_key="x"))
