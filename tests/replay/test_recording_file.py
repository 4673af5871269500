"""The recording file format: round trips, byte exactness, clear errors, atomic writes."""

import json
import re

import pytest

from helpers.errors import RecordingError
from helpers.replay import recording_file
from helpers.replay.recording_file import Chunk, Exchange, RecordedRequest, RecordedResponse, Recording


def sample() -> Recording:
    chunks = [Chunk(0.1, b"event: ping\ndata: {}\n\n"), Chunk(0.2, "é".encode()[:1]), Chunk(0.3, "é".encode()[1:])]
    response = RecordedResponse(200, {"content-type": "text/event-stream"}, 0.05, chunks)
    request = RecordedRequest("POST", "/v1/messages", {"messages": [], "stream": True})
    return Recording({"source": "recorded", "date": "2026-11-24"}, [Exchange(request, response)])


def test_round_trip_keeps_every_byte_and_split(tmp_path):
    path = recording_file.save(sample(), tmp_path / "a.json")
    loaded = recording_file.load(path)
    assert loaded.exchanges[0].response.chunks == sample().exchanges[0].response.chunks
    assert loaded.exchanges[0].response.body.decode() == "event: ping\ndata: {}\n\né"
    assert recording_file.dumps(loaded) == path.read_text()


def test_one_chunk_per_line_for_readable_diffs():
    text = recording_file.dumps(sample())
    assert '[0.1, "event: ping\\ndata: {}\\n\\n"]' in text
    assert '"base64"' in text  # the half of a multibyte character stays exact


@pytest.mark.parametrize(
    "content, expected",
    [
        ("not json", "not valid JSON"),
        (json.dumps({"format": "other"}), "not a recording"),
        (json.dumps({"format": recording_file.FORMAT, "provenance": {"source": "guessed"}, "exchanges": []}), "provenance.source"),
        (
            json.dumps({"format": recording_file.FORMAT, "provenance": {"source": "recorded"}, "exchanges": [{"request": {}}]}),
            "exchanges[0]",
        ),
    ],
)
def test_bad_files_name_the_file_and_the_problem(tmp_path, content, expected):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(RecordingError) as caught:
        recording_file.load(path)
    assert str(path) in str(caught.value) and expected in str(caught.value)


def test_failed_save_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = recording_file.save(sample(), tmp_path / "a.json")
    before = path.read_text()
    changed = sample()
    changed.provenance["date"] = "2027-01-01"

    def disk_full(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(recording_file.os, "replace", disk_full)
    with pytest.raises(OSError, match="disk full"):
        recording_file.save(changed, path)
    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


def _one_exchange(request_body: dict, headers: dict) -> str:
    exchange = {
        "request": {"method": "POST", "path": "/v1/messages", "body": request_body},
        "response": {"status": 200, "headers": headers, "headers_at": 0.1, "chunks": []},
    }
    return json.dumps({"format": recording_file.FORMAT, "provenance": {"source": "recorded"}, "exchanges": [exchange]})


@pytest.mark.parametrize(
    ("body", "headers", "expected"),
    [
        ({"stream": "no"}, {}, "the request's stream must be true or false, got 'no'"),
        ({"stream": 1}, {}, "the request's stream must be true or false, got 1"),
        ([], {}, "the request body must be a JSON object"),
        ({}, {"request-id": None}, "header 'request-id' must be text, got None"),
        ({}, {"retry-after": 3}, "header 'retry-after' must be text, got 3"),
        ({}, ["content-type"], "headers must be an object of names and values"),
    ],
)
def test_a_value_the_sdk_would_misread_is_refused(tmp_path, body, headers, expected):
    path = tmp_path / "bad.json"
    path.write_text(_one_exchange(body, headers))
    with pytest.raises(RecordingError, match=re.escape(expected)):
        recording_file.load(path)
