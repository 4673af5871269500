"""The instructor's panel moves the process-wide controls and reports what it sees, never the key."""

import socket

import pytest
from loopback_server import API_KEY

import helpers
from helpers.replay.demo_controls import CONTROLS
from helpers.teaching.demo_panel import DemoPanel, check_key, recordings_line


def test_each_control_moves_the_shared_settings():
    panel = DemoPanel(helpers.make_client("replay", speed=0))
    panel.speed.value = 0.25
    panel.pause.value = True
    panel.breaks["stall"].click()
    assert (CONTROLS.speed, CONTROLS.paused, CONTROLS.armed) == (0.25, True, "stall")
    assert "stall for 8 seconds" in panel.armed.value and panel.pause.description == "Resume"
    assert "Course mode: replay" in panel.mode.value
    assert CONTROLS.take_break() == "stall" and panel.armed.value == "Nothing armed."


def test_the_panel_marks_each_live_call_answered_from_a_recording():
    panel = DemoPanel()
    assert "Every answer so far" in panel.recordings.value
    CONTROLS.note_from_recording("fixtures/short_summary.json")
    assert "1 live call(s) answered from a recording" in panel.recordings.value
    assert "short_summary.json" in recordings_line(CONTROLS)


def test_a_live_fallback_is_marked_on_the_panel(course_env, loopback, capsys):
    with (
        helpers.make_client(mode="record") as client,
        client.messages.stream(model="m", max_tokens=64, messages=[{"role": "user", "content": "Say hello."}]) as stream,
    ):
        stream.until_done()
    panel = DemoPanel()
    loopback.fail_next(401)
    with (
        helpers.make_client(mode="live", speed=0) as client,
        client.messages.stream(model="m", max_tokens=64, messages=[{"role": "user", "content": "Say hello."}]) as stream,
    ):
        stream.until_done()
    assert "1 live call(s) answered from a recording" in panel.recordings.value


def test_without_a_key_the_check_says_the_lessons_replay(monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    assert check_key().startswith("No ANTHROPIC_API_KEY")


@pytest.mark.parametrize(
    ("status", "expected"),
    [(200, "The key works"), (401, "refuses this key (HTTP 401)"), (403, "refuses this key (HTTP 403)"), (500, "answered HTTP 500")],
)
def test_the_key_check_asks_the_api_and_never_shows_the_key(course_env, loopback, status, expected):
    if status != 200:
        loopback.fail_next(status)
    line = check_key()
    assert expected in line and API_KEY not in line
    assert loopback.seen[-1].path.startswith("/v1/models")


def test_an_api_that_cannot_be_reached_is_said_plainly(course_env, monkeypatch):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{closed.getsockname()[1]}")
        assert "cannot be reached (APIConnectionError)" in check_key()
