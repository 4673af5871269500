import hashlib
import json
import time
from pathlib import Path

import anthropic
import httpx2
import pytest
from loopback_server import API_KEY, COOKIE_SENTINEL, ORG_SENTINEL, message_json, stream_body

import helpers
from helpers.replay import recording_file
from helpers.replay.library import RecordingLibrary
from helpers.replay.matching import request_key
from helpers.replay.recorder import Recorder
from helpers.replay.recording_file import Chunk, Exchange, RecordedRequest, RecordedResponse, Recording
from helpers.replay.scrub import find_secrets
from helpers.replay.sse import frame
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


def test_live_retries_while_recording_leave_the_answer_alone_replayed_at_once(course_env, loopback, capsys):
    loopback.fail_next(529, 529)
    with helpers.make_client(mode="record") as client, client.messages.stream(**REQUEST) as stream:
        live = stream.get_final_message()
    assert [seen.headers["x-stainless-retry-count"] for seen in loopback.seen] == ["0", "1", "2"]

    recording = only_recording(course_env)
    assert [ex.response.status for ex in recording.exchanges] == [200]  # a retry story is made on purpose, not by chance
    assert list((course_env / "rejected").glob("*")) == []
    assert "the API needed 3 attempts; only the answer is kept" in capsys.readouterr().err

    served: list[tuple[str, int]] = []

    def note(response: httpx2.Response) -> None:
        served.append((response.request.headers["x-stainless-retry-count"], response.status_code))

    transport = ReplayTransport(RecordingLibrary.from_dir(course_env), 0, Stopwatch(replayed=True))
    http_client = httpx2.Client(transport=transport, event_hooks={"response": [note]})
    replay = anthropic.Anthropic(api_key="unused-in-replay", http_client=http_client)
    with replay, replay.messages.stream(**REQUEST) as stream:
        again = stream.get_final_message()
    assert served == [("0", 200)]
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


def test_a_connection_lost_after_an_early_break_is_a_note_not_an_error(course_env, loopback, capsys):
    loopback.cut_stream_after = 6
    with helpers.make_client(mode="record") as client, client.messages.stream(**REQUEST) as stream:
        first = next(event for event in stream if event.type == "text")
    assert first.text == "Hello"
    assert "Not recorded: the connection was lost while the rest of the answer was read" in capsys.readouterr().err
    assert list(course_env.glob("*")) == []


@pytest.mark.anyio
async def test_an_async_connection_lost_after_an_early_break_is_a_note_too(course_env, loopback, capsys):
    loopback.cut_stream_after = 6
    async with helpers.make_async_client(mode="record") as client, client.messages.stream(**REQUEST) as stream:
        async for event in stream:
            if event.type == "text":
                break
    assert "Not recorded: the connection was lost" in capsys.readouterr().err
    assert list(course_env.glob("*")) == []


def answer(text: str) -> bytes:
    """A complete message stream whose answer is ``text``."""
    start = {**message_json(MODEL), "content": [], "stop_reason": None, "usage": {"input_tokens": 3, "output_tokens": 1}}
    events = [
        {"type": "message_start", "message": start},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}},
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": {"output_tokens": 2}},
        {"type": "message_stop"},
    ]
    return b"".join(frame(event["type"], json.dumps(event)) for event in events)


def exchange(status: int, text: str = "hi", content: str = "Say hello.", body: bytes | None = None) -> Exchange:
    """One attempt: a complete answer for a 200, a JSON error for anything else."""
    request = {"model": MODEL, "max_tokens": 64, "messages": [{"role": "user", "content": content}], "stream": True}
    if body is None:
        body = answer(text) if status == 200 else json.dumps({"type": "error", "error": {"type": "api_error", "message": text}}).encode()
    return Exchange(
        RecordedRequest("POST", "/v1/messages", request),
        RecordedResponse(status, {"request-id": "req_1"}, 0.1, [Chunk(0.2, body)]),
    )


def statuses(path: Path) -> list[int]:
    return [ex.response.status for ex in recording_file.load(path).exchanges]


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


def test_a_new_request_retried_is_kept_aside_until_answered_then_saved_as_the_answer(tmp_path):
    recorder = Recorder(tmp_path)
    aside = recorder.add(exchange(529), attempt=0)
    assert aside is not None and aside.parent == tmp_path / "rejected"
    assert list(tmp_path.glob("*.json")) == []  # replay never sees a failed attempt as an answer
    path = recorder.add(exchange(200), attempt=1)
    assert path is not None and path.parent == tmp_path and statuses(path) == [200]  # a story only when made on purpose
    assert not aside.exists()
    assert recorder.add(exchange(200, "again"), attempt=0) == path
    assert [ex.response.body for ex in recording_file.load(path).exchanges] == [answer("again")]


def test_a_retry_after_an_attempt_without_response_starts_a_fresh_recording(tmp_path):
    recorder = Recorder(tmp_path)
    path = recorder.add(exchange(200, "earlier call"), attempt=0)
    # The same request again later: attempt 0 never got a response, attempt 1 did.
    assert recorder.add(exchange(200, "later call"), attempt=1) == path
    assert [ex.response.body for ex in recording_file.load(path).exchanges] == [answer("later call")]


def saved(folder: Path, name: str, *exchanges: Exchange, **provenance: str) -> Path:
    """A recording already in the folder, as the course ships it."""
    return recording_file.save(Recording({"source": "synthesized", **provenance}, list(exchanges)), folder / f"{name}.json")


def test_re_recording_replaces_the_recording_that_answers_the_request(tmp_path):
    named = saved(tmp_path, "short_summary", exchange(200, "old"))
    other = saved(tmp_path, "other", exchange(200, "x", content="Other"))

    assert Recorder(tmp_path).add(exchange(200, "new"), attempt=0) == named
    assert recording_file.load(named).exchanges[0].response.body == answer("new")
    assert recording_file.load(named).source == "recorded"
    assert sorted(p.name for p in tmp_path.iterdir()) == [other.name, named.name]


OVERLOADED = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
CUT = answer("half")[: len(answer("half")) // 2]
ERROR_EVENT = answer("half").split(b"event: content_block_stop")[0] + frame("error", json.dumps(OVERLOADED))
BAD_ANSWERS = {
    "HTTP 500": exchange(500),
    "HTTP 529": exchange(529),
    "a stream cut short": exchange(200, body=CUT),
    "an error event": exchange(200, body=ERROR_EVENT),
    "no stream at all": exchange(200, body=b""),
}


@pytest.mark.parametrize("bad", BAD_ANSWERS.values(), ids=BAD_ANSWERS.keys())
def test_a_failed_or_cut_answer_never_replaces_a_good_recording(tmp_path, capsys, bad):
    good = saved(tmp_path, "short_summary", exchange(200, "good"))
    before = good.read_bytes()

    aside = Recorder(tmp_path).add(bad, attempt=0)

    assert good.read_bytes() == before
    assert aside == tmp_path / "rejected" / "short_summary.json"
    assert recording_file.load(aside).exchanges[-1].response.body == bad.response.body
    warning = capsys.readouterr().err
    assert warning.startswith("Not saved as short_summary.json: the answer was ") and "move it over short_summary.json" in warning


@pytest.mark.parametrize("status", [401, 403])
def test_a_rejected_key_writes_nothing_at_all(tmp_path, capsys, status):
    good = saved(tmp_path, "short_summary", exchange(200, "good"))
    before = good.read_bytes()
    assert Recorder(tmp_path).add(exchange(status, text=API_KEY), attempt=0) is None
    assert good.read_bytes() == before
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["short_summary.json"]
    assert f"the API rejected the key (HTTP {status}); nothing was written" in capsys.readouterr().err


def test_a_retry_during_a_re_record_keeps_a_plain_answer_plain(tmp_path, capsys):
    good = saved(tmp_path, "short_summary", exchange(200, "good"))
    recorder = Recorder(tmp_path)
    recorder.add(exchange(529), attempt=0)
    assert recorder.add(exchange(200, "new"), attempt=1) == good
    assert statuses(good) == [200]
    assert recording_file.load(good).exchanges[0].response.body == answer("new")
    assert not (tmp_path / "rejected" / "short_summary.json").exists()
    assert "the API needed 2 attempts; only the answer is kept" in capsys.readouterr().err


def test_a_failure_story_is_replaced_only_by_the_same_failure(tmp_path, capsys):
    story = saved(tmp_path, "events_retry_529", exchange(529), exchange(200, "story"))
    before = story.read_bytes()

    assert Recorder(tmp_path).add(exchange(200, "plain"), attempt=0) == tmp_path / "rejected" / "events_retry_529.json"
    assert story.read_bytes() == before
    assert "it is a failure story (attempts [529, 200])" in capsys.readouterr().err

    recorder = Recorder(tmp_path)
    recorder.add(exchange(529), attempt=0)
    assert recorder.add(exchange(200, "told again"), attempt=1) == story
    assert statuses(story) == [529, 200]
    assert recording_file.load(story).exchanges[1].response.body == answer("told again")


def test_a_recording_that_exists_to_make_the_sdk_fail_is_never_replaced(tmp_path, capsys):
    story = saved(tmp_path, "tools_invalid_json", exchange(200, "broken tool input"), expect_sdk_error="ValueError")
    before = story.read_bytes()
    assert Recorder(tmp_path).add(exchange(200, "fine"), attempt=0) == tmp_path / "rejected" / "tools_invalid_json.json"
    assert story.read_bytes() == before
    assert "it exists to make the SDK raise ValueError" in capsys.readouterr().err


def test_a_broken_recording_in_the_folder_is_reported_and_the_answer_still_saved(tmp_path, capsys):
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    path = Recorder(tmp_path).add(exchange(200), attempt=0)
    assert path is not None and path.parent == tmp_path and statuses(path) == [200]
    warning = capsys.readouterr().err
    assert "Passed over a recording that cannot be read" in warning and "broken.json: not valid JSON" in warning


def test_a_body_that_is_not_json_is_passed_through_unrecorded(tmp_path, capsys):
    request = httpx2.Request("POST", "http://127.0.0.1/v1/files", content=b"--boundary binary upload")
    response = httpx2.Response(200, content=b"{}")
    assert Recorder(tmp_path).wrap(request, response, 0, time.perf_counter()) is response
    assert capsys.readouterr().err.startswith("Not recorded: POST /v1/files sends a body that is not a JSON object")
    assert list(tmp_path.iterdir()) == []


def test_an_error_that_echoes_the_key_reaches_the_student_without_it(course_env, loopback):
    loopback.echo_key_in_errors = True
    loopback.fail_next(400)
    with pytest.raises(anthropic.BadRequestError) as raised, helpers.make_client(mode="live", backup=False) as client:
        client.messages.create(**REQUEST)
    assert "loopback 400 for key" in str(raised.value)
    assert API_KEY not in str(raised.value) and API_KEY[:16] not in str(raised.value)
    assert API_KEY not in json.dumps(raised.value.body)


def test_a_gateway_path_with_an_account_id_is_neither_stored_nor_needed_to_replay(course_env, loopback, monkeypatch, tmp_path):
    account = "ACCOUNT-SENTINEL-93c1e0"
    monkeypatch.setenv("ANTHROPIC_BASE_URL", f"{loopback.url}/accounts/{account}/anthropic")
    with helpers.make_client(mode="record") as client, client.messages.stream(**REQUEST) as stream:
        live = stream.get_final_message()
    assert loopback.seen[0].path == f"/accounts/{account}/anthropic/v1/messages"
    recording = only_recording(course_env)
    assert recording.request.path == "/v1/messages"
    for path in tmp_path.rglob("*"):
        assert not path.is_file() or account.encode() not in path.read_bytes()

    loopback.fail_next(401)  # the same gateway, live with fallback: the recording answers
    with helpers.make_client(mode="live", speed=0) as client, client.messages.stream(**REQUEST) as stream:
        assert stream.get_final_message().model_dump() == live.model_dump()


def test_a_cloudflare_style_gateway_path_is_cut_at_the_api_and_its_account_id_never_stored(course_env, loopback, monkeypatch, tmp_path):
    account = "CFACCOUNT0123456789abcdef"
    monkeypatch.setenv("ANTHROPIC_BASE_URL", f"{loopback.url}/v1/{account}/my-gateway/anthropic")
    with helpers.make_client(mode="record") as client, client.messages.stream(**REQUEST) as stream:
        stream.until_done()
    assert only_recording(course_env).request.path == "/v1/messages"
    for path in tmp_path.rglob("*"):
        assert not path.is_file() or account.encode() not in path.read_bytes()


def test_words_of_a_gateway_path_are_not_secrets(course_env, loopback, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_BASE_URL", f"{loopback.url}/accounts/ACCT-4711-SENTINEL/anthropic")
    request = {**REQUEST, "messages": [{"role": "user", "content": "Who made Claude? Anthropic, say the accounts."}]}
    with helpers.make_client(mode="record") as client, client.messages.stream(**request) as stream:
        stream.until_done()
    assert only_recording(course_env).request.body["messages"] == request["messages"]


def test_an_answer_that_replay_could_not_load_never_replaces_a_recording(tmp_path, capsys):
    good = saved(tmp_path, "short_summary", exchange(200, "good"))
    long = exchange(200, "slow")
    long.response.chunks[-1] = Chunk(4000.0, long.response.chunks[-1].data)  # later than any recording may be
    assert Recorder(tmp_path).add(long, attempt=0) == tmp_path / "rejected" / "short_summary.json"
    assert recording_file.load(good).exchanges[0].response.body == answer("good")
    assert "could not be checked safely" in capsys.readouterr().err


def test_an_unreadable_file_under_the_new_name_is_not_overwritten_and_the_answer_is_kept(tmp_path, capsys):
    path = Recorder(tmp_path).add(exchange(200), attempt=0)
    path.write_text("{", encoding="utf-8")
    assert Recorder(tmp_path).add(exchange(200, "paid for"), attempt=0) == tmp_path / "rejected" / path.name
    assert path.read_text(encoding="utf-8") == "{"
    assert recording_file.load(tmp_path / "rejected" / path.name).exchanges[0].response.body == answer("paid for")


def test_a_stream_compressed_against_the_recorders_wishes_is_stored_decoded(course_env, loopback, tmp_path):
    loopback.gzip_streams = True  # a proxy that compresses whatever the client accepts
    with helpers.make_client(mode="record") as client, client.messages.stream(**REQUEST) as stream:
        live = stream.get_final_message()
    (exchange,) = only_recording(course_env).exchanges
    assert exchange.response.body == stream_body(MODEL)
    assert "content-encoding" not in exchange.response.headers
    assert len(exchange.response.chunks) > 5  # each piece still at its own time
    assert_no_secrets_under(tmp_path)
    with helpers.make_client(mode="replay", speed=0) as replay, replay.messages.stream(**REQUEST) as stream:
        assert stream.get_final_message().model_dump() == live.model_dump()


def test_a_body_compressed_in_a_way_the_recorder_cannot_undo_is_not_recorded(tmp_path, capsys):
    request = httpx2.Request("POST", "http://127.0.0.1/v1/messages", json=REQUEST)
    response = httpx2.Response(200, headers={"content-encoding": "br"}, content=b"\x8b\x00")
    assert Recorder(tmp_path).wrap(request, response, 0, time.perf_counter()) is response
    assert "came compressed as 'br', which the recorder cannot decode" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_body_that_is_not_compressed_as_its_header_says_is_not_recorded(tmp_path, capsys):
    request = httpx2.Request("POST", "http://127.0.0.1/v1/messages", json=REQUEST)
    response = httpx2.Response(200, headers={"content-encoding": "gzip"}, stream=httpx2.ByteStream(b"plain, not gzip"))
    wrapped = Recorder(tmp_path).wrap(request, response, 0, time.perf_counter())
    assert b"".join(wrapped.stream) == b"plain, not gzip"  # type: ignore[union-attr]
    assert "is not gzip data as its header says" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_the_folder_is_read_once_per_recorder_not_once_per_answer(tmp_path, monkeypatch):
    for n in range(3):
        recording_file.save(Recording({"source": "recorded"}, [exchange(200, content=f"old {n}")]), tmp_path / f"old{n}.json")
    loads: list[str] = []
    real_load = recording_file.load
    monkeypatch.setattr(recording_file, "load", lambda path: loads.append(Path(path).name) or real_load(path))
    recorder = Recorder(tmp_path)
    for n in range(5):
        recorder.add(exchange(200, content=f"new {n}"), attempt=0)
    assert sorted(name for name in loads if name.startswith("old")) == ["old0.json", "old1.json", "old2.json"]
    assert recorder.add(exchange(200, text="again", content="old 1"), attempt=0) == tmp_path / "old1.json"
