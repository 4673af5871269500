"""Fault injection: pure chunk surgery, and what the real SDK does with each broken stream."""

import tomllib

import anthropic
import httpx2
import pytest
from paths import ROOT

import helpers
from helpers.errors import ConfigError
from helpers.replay.faults import Fault, apply, cut_point, parse_fault, split_at
from helpers.replay.recording_file import Chunk
from helpers.replay.sse import frame, parse

REQUEST = tomllib.loads((ROOT / "fixtures/specs/short_summary.toml").read_text())["request"]
EVENTS = [frame("a", "1"), frame("b", "2"), frame("c", "3")]
CHUNKS = [Chunk(0.1, EVENTS[0] + EVENTS[1][:4]), Chunk(0.2, EVENTS[1][4:]), Chunk(0.3, EVENTS[2])]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("drop@after=12", Fault("drop", 12)),
        ("eof@after=100,unit=bytes", Fault("eof", 100, "bytes")),
        ("stall@after=5,seconds=2.5", Fault("stall", 5, seconds=2.5)),
        ("error@after=3,error=api_error", Fault("error", 3, error_type="api_error")),
    ],
)
def test_written_faults_parse(text, expected):
    assert parse_fault(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("explode@after=1", "Unknown fault kind"),
        ("drop", "after=N is required"),
        ("drop@after=x", "whole number"),
        ("drop@after=1,unit=lines", "unit must be"),
        ("drop@after", "has no '='"),
        ("drop@after=1,speed=2", "unknown option"),
    ],
)
def test_bad_faults_say_how_to_write_one(text, expected):
    with pytest.raises(ConfigError, match=expected) as caught:
        parse_fault(text)
    assert "drop@after=12" in str(caught.value)


def test_cut_point_counts_whole_events_or_bytes():
    body = b"".join(EVENTS)
    assert cut_point(body, Fault("eof", 2)) == len(EVENTS[0] + EVENTS[1])
    assert cut_point(body, Fault("eof", 7, "bytes")) == 7
    assert cut_point(body, Fault("eof", 99)) == len(body)


def test_split_at_splits_a_straddling_chunk_and_keeps_its_time():
    before, after = split_at(CHUNKS, len(EVENTS[0]) + 2)
    assert b"".join(c.data for c in before + after) == b"".join(EVENTS)
    assert before[-1] == Chunk(0.1, EVENTS[0] + EVENTS[1][:2]) and after[0].at == 0.1


def test_each_kind_reshapes_the_chunks():
    assert apply(CHUNKS, Fault("drop", 1)) == ([Chunk(0.1, EVENTS[0])], True)
    assert apply(CHUNKS, Fault("eof", 2)) == ([Chunk(0.1, EVENTS[0] + EVENTS[1][:4]), Chunk(0.2, EVENTS[1][4:])], False)
    stalled, dropped = apply(CHUNKS, Fault("stall", 2, seconds=1.0))
    assert [c.at for c in stalled] == [0.1, 0.2, 1.3] and not dropped
    errored, _ = apply(CHUNKS, Fault("error", 1))
    assert [e.event for e in parse(b"".join(c.data for c in errored)).events] == ["a", "error"]


def stream_until_failure(client):
    """(pieces shown, the exception or None, the snapshot) for one streamed request."""
    shown = []
    with client.messages.stream(**REQUEST) as stream:
        try:
            for text in stream.text_stream:
                shown.append(text)
        except Exception as err:  # the point of the test: which exception, exactly
            return shown, err, stream.current_message_snapshot
        return shown, None, stream.get_final_message()


def test_drop_raises_the_raw_transport_error_unretried_and_keeps_the_partial_text():
    client = helpers.make_client(speed=0, fault="drop@after=10")
    shown, err, snapshot = stream_until_failure(client)
    assert type(err) is httpx2.RemoteProtocolError and "injected fault" in str(err)
    assert shown and snapshot.content[0].text == "".join(shown) and snapshot.stop_reason is None


def test_error_event_raises_a_bare_api_status_error_with_status_200():
    shown, err, snapshot = stream_until_failure(helpers.make_client(speed=0, fault="error@after=10"))
    assert type(err) is anthropic.APIStatusError and err.status_code == 200
    assert err.body["error"]["type"] == "overloaded_error" and not isinstance(err, anthropic.InternalServerError)
    assert snapshot.content[0].text == "".join(shown) != ""


def test_clean_eof_is_silent_and_leaves_no_stop_reason():
    shown, err, message = stream_until_failure(helpers.make_client(speed=0, fault="eof@after=10"))
    assert err is None and message.stop_reason is None and message.content[0].text == "".join(shown)


def test_stall_delays_the_rest_on_the_recording_clock_and_loses_nothing():
    plain = helpers.make_client(speed=0)
    stalled = helpers.make_client(speed=0, fault="stall@after=10,seconds=2")
    texts = []
    for client in (plain, stalled):
        with client.messages.stream(**REQUEST) as stream:
            texts.append(stream.get_final_text())
    assert texts[0] == texts[1]
    assert helpers.stopwatch(stalled).elapsed() == pytest.approx(helpers.stopwatch(plain).elapsed() + 2)


@pytest.mark.anyio
async def test_async_client_sees_the_same_dropped_connection():
    client = helpers.make_async_client(speed=0, fault="drop@after=10")
    with pytest.raises(httpx2.RemoteProtocolError):
        async with client.messages.stream(**REQUEST) as stream:
            async for _ in stream.text_stream:
                pass


def test_course_fault_environment_variable_and_status_line(monkeypatch):
    monkeypatch.setenv("COURSE_FAULT", "error@after=4")
    client = helpers.make_client(speed=0)
    assert "fault: an overloaded_error event after 4 events" in helpers.status_line(client)
    monkeypatch.setenv("COURSE_FAULT", "nonsense")
    with pytest.raises(ConfigError, match="Unknown fault kind"):
        helpers.make_client(speed=0)
