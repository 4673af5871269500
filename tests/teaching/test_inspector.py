"""The stream inspector: its frames come from the real SDK, and every pane follows the slider."""

import itertools
import json

import pytest

import helpers
from helpers.checks.common import recorded_request
from helpers.errors import NoRecordingError, RecordingError
from helpers.replay import recording_file, sse
from helpers.replay.recording_file import Chunk, Exchange, RecordedRequest, RecordedResponse, Recording
from helpers.teaching.inspector import Inspector, static_frames, telling_moments, timeline_svg
from helpers.teaching.stream_frames import frames, frames_of
from helpers.tooling.cli import main

NAME = "events_tool_use"


def final_message(name: str):
    client = helpers.make_client("replay", speed=0, recording=name)
    with client.messages.stream(model="m", max_tokens=1, messages=[]) as stream:
        return stream.get_final_message()


def test_one_frame_per_event_and_the_last_snapshot_is_the_sdks_final_message():
    recording = recording_file.load(helpers.config.fixtures_dir() / f"{NAME}.json")
    events = sse.parse(recording.exchanges[-1].response.body).events
    shown = frames_of(NAME)
    assert [f.event for f in shown] == [e.event for e in events]
    assert shown[0].snapshot["content"] == [] and shown[0].text == ""
    assert shown[-1].snapshot == final_message(NAME).model_dump(mode="json", exclude_none=True)
    assert [f.at for f in shown] == sorted(f.at for f in shown)


def test_the_text_a_reader_sees_only_grows():
    texts = [f.text for f in frames_of("short_summary")]
    assert all(later.startswith(earlier) for earlier, later in itertools.pairwise(texts))
    assert texts[-1] == final_message("short_summary").content[0].text


def _story(tmp_path):
    start = {
        "type": "message_start",
        "message": {
            "id": "m",
            "type": "message",
            "role": "assistant",
            "model": "m",
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 1, "output_tokens": 1},
        },
    }
    events = [
        start,
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "<script>alert(1)</script> half"}},
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
    ]
    chunks = [Chunk(0.1 * n, sse.frame(e["type"], json.dumps(e))) for n, e in enumerate(events, 1)]
    body = {"model": "m", "max_tokens": 5, "messages": [], "stream": True}
    recording = Recording(
        {"source": "synthesized"},
        [
            Exchange(
                RecordedRequest("POST", "/v1/messages", body), RecordedResponse(200, {"content-type": "text/event-stream"}, 0.05, chunks)
            )
        ],
    )
    return recording_file.save(recording, tmp_path / "story.json")


def test_a_stream_that_ends_in_an_error_event_is_stepped_through_to_the_error(tmp_path):
    shown = frames_of(_story(tmp_path))
    assert [f.event for f in shown][-1] == "error"
    assert shown[-1].text == "<script>alert(1)</script> half"


def test_an_imported_capture_can_be_inspected(tmp_path):
    capture = tmp_path / "c.sse"
    capture.write_bytes(recording_file.load(helpers.config.fixtures_dir() / f"{NAME}.json").exchanges[-1].response.body)
    assert main(["import-sse", str(capture), "--out", str(tmp_path / "c.json")]) == 0
    assert len(frames_of(tmp_path / "c.json")) == len(frames_of(NAME))


def test_an_answer_that_was_not_streamed_says_there_is_nothing_to_step_through(tmp_path):
    body = {"model": "m", "max_tokens": 5, "messages": []}
    message = json.dumps({"type": "message", "content": []}).encode()
    path = recording_file.save(
        Recording(
            {"source": "synthesized"},
            [Exchange(RecordedRequest("POST", "/v1/messages", body), RecordedResponse(200, {}, 0.1, [Chunk(0.2, message)]))],
        ),
        tmp_path / "whole.json",
    )
    with pytest.raises(RecordingError, match="not a streamed answer"):
        frames(recording_file.load(path))


def test_every_pane_follows_the_slider(tmp_path):
    inspector = Inspector(_story(tmp_path), widgets=True)
    inspector.slider.value = 3  # counted from 1, like the heading
    assert inspector.position == 2
    assert "content_block_delta" in inspector.wire.value and "Event 3 of 4" in inspector.heading.value
    assert "&lt;script&gt;" in inspector.reader.value and "<script>" not in inspector.reader.value
    assert "&quot;text&quot;: &quot;&lt;script&gt;" in inspector.snapshot.value
    inspector.show(99)
    assert inspector.slider.value == 4 and "error" in inspector.wire.value


def test_the_cursor_moves_along_the_timeline():
    shown = frames_of(NAME)
    cursor = [float(timeline_svg(shown, i).rsplit('x1="', 1)[1].split('"')[0]) for i in range(len(shown))]
    assert cursor == sorted(cursor) and cursor[0] < cursor[-1]


def test_without_widgets_a_few_telling_moments_are_shown():
    shown = frames_of(NAME)
    picks = telling_moments(shown)
    assert picks[0] == 0 and picks[-1] == len(shown) - 1 and shown[picks[1]].event == "content_block_delta"
    page = static_frames(shown, picks)
    assert page.count("<b>Event ") == len(picks) and "the SDK's snapshot" in page


def test_a_lessons_request_opens_the_recording_that_answers_it():
    inspector = Inspector.of_request(recorded_request(NAME), widgets=False)
    assert [f.event for f in inspector.frames] == [f.event for f in frames_of(NAME)]
    with pytest.raises(NoRecordingError):
        Inspector.of_request({**recorded_request(NAME), "max_tokens": 7})


def test_a_moment_in_plain_text_says_what_the_snapshot_holds_then():
    inspector = Inspector(NAME, widgets=False)
    shown = frames_of(NAME)
    # The event just before the first non-empty piece of tool input (counted from 1, so index i is event i).
    first_json = next(i for i, f in enumerate(shown) if "input_json_delta" in f.wire and '""' not in f.wire)
    before, after = inspector.moment(first_json), inspector.moment(len(shown))
    assert before.startswith(f"Event {first_json} of {len(shown)}") and "[1] tool_use get_weather input={}" in before
    assert "stop_reason=None" in before
    assert '[1] tool_use get_weather input={"city": "Paris", "unit": "celsius"}' in after
    assert f"stop_reason=tool_use, output_tokens={final_message(NAME).usage.output_tokens}" in after
    assert "snapshot:     stop_reason=None" in inspector.moment(1)  # message_start: no block yet


def test_a_refusals_moment_names_its_stop_details():
    moment = Inspector("events_refusal_midstream", widgets=False).moment(14)
    details = final_message("events_refusal_midstream").stop_details
    assert "stop_reason=refusal" in moment and f'"category": "{details.category}"' in moment
    assert "stop_details" not in Inspector(NAME, widgets=False).moment(18)
