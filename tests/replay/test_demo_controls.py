"""The instructor's controls: speed, pause and breaks change a replayed stream from the next chunk on."""

import json

import anthropic
import httpx2
import pytest

import helpers
from helpers.errors import ConfigError
from helpers.replay.demo_controls import CONTROLS, LONGEST_PAUSE_S, POLL_S, STALL_S, DemoControls, Pacer
from helpers.replay.recording_file import Chunk

CHUNKS = [Chunk(0.1, b"a"), Chunk(0.2, b"b"), Chunk(0.3, b"c")]


def test_without_controls_deadlines_are_absolute_so_lateness_does_not_accumulate():
    pacer = Pacer(CHUNKS, start=100.0, speed=1.0, controls=None)
    assert pacer.step(100.0) == pytest.approx(0.1)
    assert pacer.step(100.25) == CHUNKS[0]  # served late...
    assert pacer.step(100.25) == CHUNKS[1]  # ...and the next, already due, at once
    assert pacer.step(100.25) == pytest.approx(0.05)  # "c" keeps its own deadline, 100.3
    assert pacer.step(100.3) == CHUNKS[2] and pacer.step(100.3) is None


def test_with_controls_left_alone_the_same_chunks_come_at_the_same_times_waiting_in_short_steps():
    pacer = Pacer(CHUNKS, start=100.0, speed=1.0, controls=DemoControls())
    assert pacer.step(100.0) == POLL_S
    assert pacer.step(100.1) == CHUNKS[0]
    assert pacer.step(100.16) == pytest.approx(0.04)


def test_a_new_speed_replans_the_rest_from_the_present_moment():
    controls = DemoControls()
    pacer = Pacer(CHUNKS, start=100.0, speed=1.0, controls=controls)
    assert pacer.step(100.1) == CHUNKS[0]
    controls.set_speed(2.0)
    assert pacer.step(100.1) == pytest.approx(0.05)  # "b" is 0.1 s of recording later: 0.05 s at twice the speed
    assert pacer.step(100.15) == CHUNKS[1]


def test_the_speed_multiplies_the_clients_own_and_no_waiting_stays_no_waiting():
    controls = DemoControls()
    controls.set_speed(0.25)
    assert Pacer(CHUNKS, start=100.0, speed=2.0, controls=controls).speed == 0.5
    assert Pacer(CHUNKS, start=100.0, speed=0.0, controls=controls).step(100.0) == CHUNKS[0]


def test_a_pause_holds_the_stream_and_it_goes_on_from_where_it_was():
    controls = DemoControls()
    pacer = Pacer(CHUNKS, start=100.0, speed=1.0, controls=controls)
    assert pacer.step(100.1) == CHUNKS[0]
    controls.pause()
    assert pacer.step(100.5) == POLL_S and pacer.step(104.0) == POLL_S
    controls.pause(False)
    assert pacer.step(105.0) == POLL_S  # "b" is due 0.1 s after the stream resumed, not at once
    assert pacer.step(105.1) == CHUNKS[1]


def test_a_forgotten_pause_ends_by_itself():
    controls = DemoControls()
    pacer = Pacer(CHUNKS, start=100.0, speed=1.0, controls=controls)
    controls.pause()
    assert pacer.step(100.0) == POLL_S
    assert pacer.step(100.0 + LONGEST_PAUSE_S) == pytest.approx(POLL_S)  # replanned: "a" 0.1 s from now
    assert not controls.paused
    assert pacer.step(100.1 + LONGEST_PAUSE_S) == CHUNKS[0]


def test_a_drop_cuts_the_stream_at_the_next_event_and_says_whose_break_it_was():
    controls = DemoControls()
    pacer = Pacer(CHUNKS, start=100.0, speed=0.0, controls=controls)
    assert pacer.step(100.0) == CHUNKS[0]
    controls.arm("drop")
    assert pacer.step(100.0) is None
    assert pacer.dropped == "the instructor's break: drop the connection"
    assert controls.armed is None  # used up: one stream gets it


def test_a_stall_delays_the_rest_by_its_seconds():
    controls = DemoControls()
    pacer = Pacer(CHUNKS, start=100.0, speed=1.0, controls=controls)
    assert pacer.step(100.1) == CHUNKS[0]
    controls.arm("stall")
    assert pacer.step(100.2) == POLL_S
    assert pacer.step(100.2 + STALL_S) == Chunk(0.2 + STALL_S, b"b")  # the recording's clock shows the stall too


@pytest.mark.parametrize(("call", "value"), [("set_speed", 3.0), ("set_speed", 0.0), ("arm", "explode")])
def test_settings_the_panel_does_not_offer_are_refused(call, value):
    with pytest.raises(ConfigError):
        getattr(DemoControls(), call)(value)


def test_an_error_break_reaches_the_student_as_the_sdks_overloaded_error_with_the_text_so_far():
    client = helpers.make_client("replay", speed=0, recording="short_summary")
    received = []
    with pytest.raises(anthropic.APIStatusError) as raised, client.messages.stream(model="m", max_tokens=1, messages=[]) as stream:
        for n, text in enumerate(stream.text_stream):
            received.append(text)
            if n == 3:
                CONTROLS.arm("error")
    assert json.loads(json.dumps(raised.value.body))["error"]["type"] == "overloaded_error"
    assert len(received) == 4 and "".join(received)


def test_a_drop_break_reaches_the_student_as_a_dropped_connection():
    client = helpers.make_client("replay", speed=0, recording="short_summary", max_retries=0)
    CONTROLS.arm("drop")
    with (
        pytest.raises(httpx2.RemoteProtocolError, match="the instructor's break"),
        client.messages.stream(model="m", max_tokens=1, messages=[]) as stream,
    ):
        stream.until_done()
