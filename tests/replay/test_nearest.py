"""Tinkering without a key: opt in, and an edited request is answered by the closest recording, which says so."""

import tomllib

import pytest
from paths import ROOT

import helpers
from helpers import config
from helpers.checks.common import replay_client
from helpers.errors import ConfigError, NoRecordingError

SPEC = tomllib.loads((ROOT / "fixtures/specs/short_summary.toml").read_text(encoding="utf-8"))
PROMPT = SPEC["request"]["messages"][0]["content"]
EDITED = {**SPEC["request"], "messages": [{"role": "user", "content": PROMPT.replace("short", "very short")}]}


def answer(client) -> str:
    with client.messages.stream(**EDITED) as stream:
        return stream.get_final_text()


def test_by_default_an_edited_request_is_an_error_that_tells_of_tinkering():
    with pytest.raises(NoRecordingError) as raised:
        answer(helpers.make_client("replay", speed=0))
    assert "make_client(nearest=True)" in str(raised.value) and "COURSE_NEAREST=1" in str(raised.value)


def test_tinkering_answers_with_the_closest_recording_and_says_which(capsys):
    text = answer(helpers.make_client("replay", speed=0, nearest=True))
    assert text == SPEC["content"][0]["text"]
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("Tinkering (nearest=True): no recording answers this request; replaying short_summary.json")
    assert "messages[0].content" in line


def test_the_environment_turns_it_on_and_the_status_line_says_so(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_NEAREST", "1")
    client = helpers.make_client("replay", speed=0)
    assert "tinkering: an edited request gets the closest recording" in helpers.status_line(client)
    assert answer(client) == SPEC["content"][0]["text"]


def test_exercise_checks_never_tinker(monkeypatch):
    monkeypatch.setenv("COURSE_NEAREST", "1")
    with pytest.raises(NoRecordingError):
        answer(replay_client())


def test_another_endpoint_is_never_stood_in_for():
    client = helpers.make_client("replay", speed=0, nearest=True)
    with pytest.raises(NoRecordingError, match="The course records Messages API calls"):
        client.messages.count_tokens(model="m", messages=[{"role": "user", "content": "x"}])


def test_a_setting_that_is_neither_yes_nor_no_is_refused():
    with pytest.raises(ConfigError, match=r"COURSE_NEAREST='sometimes' is not usable"):
        config.resolve_nearest(env={"COURSE_NEAREST": "sometimes"})
