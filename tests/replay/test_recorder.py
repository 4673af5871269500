import hashlib
import json
import time
from pathlib import Path

import anthropic
import httpx2
import pytest
from loopback_server import API_KEY, COOKIE_SENTINEL, ORG_SENTINEL, stream_body

import helpers
from helpers.errors import RecordingError
from helpers.replay import recording_file
from helpers.replay.library import RecordingLibrary
from helpers.replay.matching import request_key
from helpers.replay.recorder import Recorder
from helpers.replay.recording_file import Chunk, Exchange, RecordedRequest, RecordedResponse, Recording
from helpers.replay.scrub import find_secrets
from helpers.replay.stopwatch import Stopwatch
from helpers.replay.transport import ReplayTransport

MODEL = "claude-sonnet-4-6"
REQUEST = {"model": MODEL, "max_tokens": 64, "messages": [{"role": "user", "content": "Say hello."}]}
SENTINELS = [API_KEY.encode(), COOKIE_SENTINEL.encode(), ORG_SENTINEL.encode()]


def assert_no_secrets_under(folder: Path) -> None:
    files = [path for path in folder.rglob("*") if path.is_file()]
    assert files, f"nothing was written under {folder}"
    for path in files:
        data = path.read_bytes()
        for sentinel in SENTINELS:
            assert sentinel not in data, f"{sentinel!r} leaked into {path}"
        assert find_secrets(data.decode("utf-8")) == [], path


def only_recording(folder: Path) -> Recording:
    (path,) = folder.glob("*.json")
    return recording_file.load(path)


def test_recording_a_stream_keeps_no_secrets_and_replays_to_the_same_message(course_env, loopback, tmp_path):
    with helpers.make_client(mode="record") as client, client.messages.stream(**REQUEST) as stream:
        live = stream.get_final_message()

    seen = loopback.seen[0].headers
    assert seen["authorization"] == f"Bearer {API_KEY}"  # the sentinel really went over the wire
    assert seen["accept-encoding"] == "identity"
    assert_no_secrets_under(tmp_path)

    recording = only_recording(course_env)
    (exchange,) = recording.exchanges
    assert exchange.request.body == {**REQUEST, "stream": True}
    assert exchange.response.status == 200
    assert exchange.response.body == stream_body(MODEL)
    assert exchange.response.headers["request-id"] == "req_loopback001"
    assert not {"set-cookie", "anthropic-organization-id", "transfer-encoding"} & set(exchange.response.headers)
    offsets = [chunk.at for chunk in exchange.response.chunks]
    assert len(offsets) > 5 and offsets == sorted(offsets) and offsets[0] >= exchange.response.headers_at > 0
    assert recording.provenance["source"] == "recorded" and recording.provenance["model"] == MODEL

    with helpers.make_client(mode="replay", speed=0) as replay, replay.messages.stream(**REQUEST) as stream:
        again = stream.get_final_message()
    assert again.model_dump() == live.model_dump()
    assert live.content[0].text == "Hello, wörld! ☕ done"


@pytest.mark.anyio
async def test_recording_an_async_stream_keeps_no_secrets_and_replays_to_the_same_message(course_env, tmp_path):
    async with helpers.make_async_client(mode="record") as client, client.messages.stream(**REQUEST) as stream:
        texts = [event.text async for event in stream if event.type == "text"]
        live = await stream.get_final_message()
    assert "".join(texts) == "Hello, wörld! ☕ done"
    assert_no_secrets_under(tmp_path)
    assert only_recording(course_env).exchanges[0].response.body == stream_body(MODEL)

    async with helpers.make_async_client(mode="replay", speed=0) as replay, replay.messages.stream(**REQUEST) as stream:
        again = await stream.get_final_message()
    assert again.model_dump() == live.model_dump()


def test_recording_a_non_streaming_call_stores_its_json(course_env, tmp_path):
    with helpers.make_client(mode="record") as client:
        live = client.messages.create(**REQUEST)
    assert_no_secrets_under(tmp_path)
    exchange = only_recording(course_env).exchanges[0]
    assert json.loads(exchange.response.body)["content"][0]["text"] == live.content[0].text
    with helpers.make_client(mode="replay", speed=0) as replay:
        again = replay.messages.create(**REQUEST)
    assert again.model_dump() == live.model_dump()


def test_a_key_pasted_into_a_prompt_is_redacted_from_the_stored_request(course_env, tmp_path):
    pasted = {**REQUEST, "messages": [{"role": "user", "content": f"Is {API_KEY} a valid key?"}]}
    with helpers.make_client(mode="record") as client:
        client.messages.create(**pasted)
    assert_no_secrets_under(tmp_path)
    stored = only_recording(course_env).request.body
    assert stored["messages"][0]["content"] == "Is [redacted] a valid key?"


def test_the_sdk_retries_become_one_recording_replayed_attempt_by_attempt(course_env, loopback):
    loopback.fail_next(529, 529)
    with helpers.make_client(mode="record") as client, client.messages.stream(**REQUEST) as stream:
        live = stream.get_final_message()
    assert [seen.headers["x-stainless-retry-count"] for seen in loopback.seen] == ["0", "1", "2"]

    recording = only_recording(course_env)
    assert [ex.response.status for ex in recording.exchanges] == [529, 529, 200]
    assert recording.exchanges[0].response.headers["retry-after-ms"] == "1"
    assert json.loads(recording.exchanges[0].response.body)["error"]["type"] == "overloaded_error"

    served: list[tuple[str, int]] = []

    def note(response: httpx2.Response) -> None:
        served.append((response.request.headers["x-stainless-retry-count"], response.status_code))

    transport = ReplayTransport(RecordingLibrary.from_dir(course_env), 0, Stopwatch(replayed=True))
    http_client = httpx2.Client(transport=transport, event_hooks={"response": [note]})
    replay = anthropic.Anthropic(api_key="unused-in-replay", http_client=http_client)
    with replay, replay.messages.stream(**REQUEST) as stream:
        again = stream.get_final_message()
    assert served == [("0", 529), ("1", 529), ("2", 200)]
    assert again.model_dump() == live.model_dump()


def test_closing_a_stream_early_still_records_the_whole_body(course_env, loopback):
    with helpers.make_client(mode="record") as client, client.messages.stream(**REQUEST) as stream:
        first = next(event for event in stream if event.type == "text")
    assert first.text == "Hello"
    assert only_recording(course_env).exchanges[0].response.body == stream_body(MODEL)


@pytest.mark.anyio
async def test_closing_an_async_stream_early_still_records_the_whole_body(course_env):
    async with helpers.make_async_client(mode="record") as client, client.messages.stream(**REQUEST) as stream:
        async for event in stream:
            if event.type == "text":
                break
    assert only_recording(course_env).exchanges[0].response.body == stream_body(MODEL)


def test_a_stream_cut_midway_is_not_recorded(course_env, loopback):
    loopback.cut_stream_after = 4
    with (
        pytest.raises(httpx2.RemoteProtocolError),
        helpers.make_client(mode="record") as client,
        client.messages.stream(**REQUEST) as stream,
    ):
        stream.get_final_message()
    assert list(course_env.glob("*")) == []


def exchange(status: int, text: str = "hi", content: str = "Say hello.") -> Exchange:
    body = {"model": MODEL, "max_tokens": 64, "messages": [{"role": "user", "content": content}], "stream": True}
    return Exchange(
        RecordedRequest("POST", "/v1/messages", body),
        RecordedResponse(status, {"request-id": "req_1"}, 0.1, [Chunk(0.2, text.encode())]),
    )


def test_a_new_request_gets_a_name_from_its_key_and_provenance(tmp_path):
    first = exchange(200)
    path = Recorder(tmp_path).add(first, attempt=0)
    req = first.request
    digest = hashlib.sha256(request_key(req.method, req.path, req.body).encode()).hexdigest()[:10]
    assert path == tmp_path / f"recorded-{digest}.json"
    provenance = recording_file.load(path).provenance
    assert provenance["source"] == "recorded" and provenance["model"] == MODEL
    assert "sdk" not in provenance  # the SDK version is kept in one place, requirements.txt
    assert provenance["recorded_with"] == "helpers record mode"
    assert len(provenance["date"]) == 10


def test_retries_extend_the_recording_and_a_new_first_attempt_starts_over(tmp_path):
    recorder = Recorder(tmp_path)
    path = recorder.add(exchange(529), attempt=0)
    assert recorder.add(exchange(200), attempt=1) == path
    assert [ex.response.status for ex in recording_file.load(path).exchanges] == [529, 200]
    assert recorder.add(exchange(200, "again"), attempt=0) == path
    assert [ex.response.body for ex in recording_file.load(path).exchanges] == [b"again"]


def test_a_retry_after_an_attempt_without_response_starts_a_fresh_recording(tmp_path):
    recorder = Recorder(tmp_path)
    path = recorder.add(exchange(200, "earlier call"), attempt=0)
    # The same request again later: attempt 0 never got a response, attempt 1 did.
    assert recorder.add(exchange(200, "later call"), attempt=1) == path
    assert [ex.response.body for ex in recording_file.load(path).exchanges] == [b"later call"]


def test_re_recording_overwrites_the_recording_that_answers_the_request(tmp_path):
    named = tmp_path / "short_summary.json"
    recording_file.save(Recording({"source": "synthesized"}, [exchange(200, "old")]), named)
    other = tmp_path / "other.json"
    recording_file.save(Recording({"source": "synthesized"}, [exchange(200, "x", content="Other")]), other)

    assert Recorder(tmp_path).add(exchange(200, "new"), attempt=0) == named
    assert recording_file.load(named).exchanges[0].response.body == b"new"
    assert recording_file.load(named).source == "recorded"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.json", "short_summary.json"]


def test_a_broken_recording_in_the_folder_is_reported_not_skipped(tmp_path):
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(RecordingError, match=r"broken\.json: not valid JSON"):
        Recorder(tmp_path).add(exchange(200), attempt=0)


def test_a_body_that_is_not_json_is_passed_through_unrecorded(tmp_path, capsys):
    request = httpx2.Request("POST", "http://127.0.0.1/v1/files", content=b"--boundary binary upload")
    response = httpx2.Response(200, content=b"{}")
    assert Recorder(tmp_path).wrap(request, response, 0, time.perf_counter()) is response
    assert capsys.readouterr().err.startswith("Not recorded: POST /v1/files sends a body that is not a JSON object")
    assert list(tmp_path.iterdir()) == []
