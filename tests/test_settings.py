"""Every setting a student or instructor can give is checked, and a bad one says what to use instead."""

from __future__ import annotations

import pytest

import helpers
from helpers import config
from helpers.errors import ConfigError, RecordingError
from helpers.replay.faults import parse_fault


@pytest.mark.parametrize("speed", ["1e-300", "0.05", "101", "nan", "inf", "-1", "fast"])
def test_a_replay_speed_outside_what_replay_can_honour_is_refused(speed):
    with pytest.raises(ConfigError, match=r"Use 0 \(no waiting\) or a number from 0.1 to 100"):
        config.resolve_speed(speed)


@pytest.mark.parametrize(("speed", "expected"), [("0", 0.0), ("0.1", 0.1), ("1", 1.0), ("100", 100.0)])
def test_the_speeds_a_lesson_uses_are_accepted(speed, expected):
    assert config.resolve_speed(speed) == expected


@pytest.mark.parametrize(("written", "expected"), [("1", True), ("yes", True), ("0", False), ("off", False)])
def test_the_backup_setting_reads_yes_and_no(written, expected):
    assert config.resolve_backup(env={"COURSE_BACKUP": written}) is expected


def test_the_backup_settings_older_name_still_works_and_the_new_one_wins():
    assert config.resolve_backup(env={"COURSE_FALLBACK": "0"}) is False
    assert config.resolve_backup(env={"COURSE_FALLBACK": "0", "COURSE_BACKUP": "1"}) is True


@pytest.mark.parametrize("name", ["COURSE_BACKUP", "COURSE_FALLBACK"])
def test_a_backup_setting_that_is_neither_yes_nor_no_is_refused(name):
    with pytest.raises(ConfigError, match=rf"{name}='maybe' is not usable\. Use 1"):
        config.resolve_backup(env={name: "maybe"})


@pytest.mark.parametrize("timeout", ["0", "0.05", "601", "nan", "inf", "-3", "soon"])
def test_a_live_timeout_outside_what_a_class_can_wait_for_is_refused(timeout):
    with pytest.raises(ConfigError, match=r"Use a number of seconds from 0.1 to 600: .*COURSE_TIMEOUT"):
        config.resolve_timeout(env={"COURSE_TIMEOUT": timeout})


@pytest.mark.parametrize(("timeout", "expected"), [(None, 10.0), ("2.5", 2.5), (600, 600.0)])
def test_a_live_timeout_in_range_is_used(timeout, expected):
    assert config.resolve_timeout(timeout, env={}) == expected


@pytest.mark.parametrize(
    "fault", ["stall@after=5,seconds=inf", "stall@after=5,seconds=nan", "stall@after=5,seconds=601", "stall@after=5,seconds=-1"]
)
def test_a_stall_that_would_wait_for_ever_is_refused(fault):
    with pytest.raises(ConfigError, match="seconds from 0 to 600"):
        parse_fault(fault)


def test_replay_from_a_folder_that_does_not_exist_names_the_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_FIXTURES", str(tmp_path / "nowhere"))
    with pytest.raises(ConfigError, match=r"There is no folder .*nowhere to replay recordings from\. Point COURSE_FIXTURES"):
        helpers.make_client("replay")


def test_a_recording_asked_for_by_a_name_that_does_not_exist_lists_the_names():
    with pytest.raises(RecordingError, match=r"No recording 'short_sumary': give a file's path, or one of these names: .*short_summary"):
        helpers.make_client("replay", recording="short_sumary")
