"""One bad file in a folder of recordings spoils only what it concerns, and says so by name."""

import json
from pathlib import Path

import anthropic
import pytest

import helpers
from helpers.errors import NoRecordingError, RecordingError
from helpers.replay import matching, recording_file
from helpers.replay.event_order import sdk_breakers
from helpers.replay.recording_file import Chunk, Exchange, RecordedRequest, RecordedResponse, Recording
from helpers.replay.sse import frame

START = {
    "type": "message_start",
    "message": {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 3, "output_tokens": 1},
    },
}
BLOCK = {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
DELTA = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "ok"}}
STOP = {"type": "content_block_stop", "index": 0}
END = {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": {"output_tokens": 2}}
WHOLE = [START, BLOCK, DELTA, STOP, END, {"type": "message_stop"}]


def body_of(events: list[dict]) -> bytes:
    return b"".join(frame(event["type"], json.dumps(event)) for event in events)


def request(prompt: str) -> dict:
    return {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": prompt}], "stream": True}


def save(folder: Path, name: str, prompt: str, body: bytes) -> Path:
    response = RecordedResponse(200, {"content-type": "text/event-stream"}, 0.0, [Chunk(0.0, body)])
    recording = Recording({"source": "synthesized"}, [Exchange(RecordedRequest("POST", "/v1/messages", request(prompt)), response)])
    return recording_file.save(recording, folder / f"{name}.json")


def ask(prompt: str) -> anthropic.types.Message:
    with helpers.make_client("replay", speed=0).messages.stream(**{k: v for k, v in request(prompt).items() if k != "stream"}) as stream:
        return stream.get_final_message()


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("COURSE_FIXTURES", str(tmp_path))
    save(tmp_path, "good", "hello", body_of(WHOLE))
    return tmp_path


BREAKERS = {
    "not UTF-8": (body_of(WHOLE[:2]) + b"event: content_block_delta\ndata: \xff\xfe\n\n", "UnicodeDecodeError"),
    "data not JSON": (body_of(WHOLE[:2]) + b"event: content_block_delta\ndata: {not json\n\n", "JSONDecodeError"),
    "no message_start": (body_of([BLOCK, DELTA, STOP]), "AssertionError"),
    "nothing at all": (b"", "AssertionError"),
    "a delta for a block never started": (body_of([START, {**DELTA, "index": 1}]), "IndexError"),
    "a block stopped before it started": (body_of([START, STOP]), "IndexError"),
}


@pytest.mark.parametrize("case", BREAKERS)
def test_a_stream_the_sdk_cannot_parse_is_named_with_what_breaks_and_where_to_look(folder, case):
    body, sdk_error = BREAKERS[case]
    assert sdk_error in sdk_breakers(body)[0]
    path = save(folder, "broken", "break", body)
    with pytest.raises(RecordingError) as raised:
        ask("break")
    message = str(raised.value)
    assert str(path) in message and sdk_error in message and f"python -m helpers check {path}" in message
    assert ask("hello").content[0].text == "ok"  # the rest of the folder still replays


@pytest.mark.parametrize(
    "body",
    [
        body_of(WHOLE),
        body_of(WHOLE[:3]),  # cut short: a failure story, served as it is
        body_of(WHOLE)[:-1],  # no blank line after the last event, as some real captures end
        body_of([{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}]),
        body_of([BLOCK, *WHOLE]),  # an event before message_start is passed through, not accumulated
    ],
)
def test_what_the_sdk_handles_by_itself_is_served(body):
    assert sdk_breakers(body) == []


def test_a_cut_recording_is_served_and_the_sdk_returns_its_partial_message(folder):
    save(folder, "cut", "cut", body_of(WHOLE[:3]))
    assert ask("cut").content[0].text == "ok"


@pytest.mark.parametrize("stray", ['{"name": "my-notes", "version": 1}', "[1, 2, 3]", "{not json"])
def test_a_file_that_is_not_a_recording_is_passed_over_and_named(folder, capsys, stray):
    (folder / "notes.json").write_text(stray, encoding="utf-8")
    assert ask("hello").content[0].text == "ok"
    assert "Replay passes over a file it cannot read" in capsys.readouterr().err
    with pytest.raises(NoRecordingError, match=r"cannot be read \(python -m helpers check says why\): notes\.json"):
        ask("something never recorded")


def test_two_recordings_of_one_request_break_only_that_request_and_name_both(folder):
    save(folder, "twin", "hello", body_of(WHOLE))
    save(folder, "other", "other", body_of(WHOLE))
    with pytest.raises(RecordingError, match=r"good\.json and .*twin\.json record the same request"):
        ask("hello")
    assert ask("other").content[0].text == "ok"


def test_a_huge_prompt_is_ranked_on_its_opening_only(folder, monkeypatch):
    compared: list[int] = []
    real = matching.difflib.SequenceMatcher

    def measuring(junk, a, b):
        compared.extend([len(a), len(b)])
        return real(junk, a, b)

    monkeypatch.setattr(matching.difflib, "SequenceMatcher", measuring)
    with pytest.raises(NoRecordingError, match=r"good\.json"):
        ask("hello" + "x" * 4_000_000)
    assert compared and max(compared) <= matching.SIMILARITY_CHARS
