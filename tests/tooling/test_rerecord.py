"""``python -m helpers record`` re-records recordings live: here against the loopback API."""

import shutil

from loopback_server import API_KEY
from paths import ROOT

import helpers
from helpers.replay import recording_file
from helpers.tooling.cli import main


def test_record_overwrites_each_recording_in_place_keeps_stories_and_leaks_nothing(course_env, loopback, capsys, monkeypatch):
    course_env.mkdir()
    for name in ("short_summary.json", "doc_generator-blocking.json"):
        shutil.copy(ROOT / "fixtures" / name, course_env / name)
    story = recording_file.load(ROOT / "fixtures" / "short_summary.json")
    busy = recording_file.RecordedResponse(529, {"content-type": "application/json"}, 0.1, [])
    story.exchanges.insert(0, recording_file.Exchange(story.request, busy))
    story.request.body["max_tokens"] = 7  # its own request, so it can share the folder
    recording_file.save(story, course_env / "story.json")

    assert main(["record"]) == 0
    out = capsys.readouterr().out
    assert "re-recorded live  short_summary" in out and "re-recorded live  doc_generator-blocking" in out
    assert "failure story" in out and "story" in out
    assert sorted(p.name for p in course_env.glob("*.json")) == ["doc_generator-blocking.json", "short_summary.json", "story.json"]
    rerecorded = recording_file.load(course_env / "short_summary.json")
    assert rerecorded.source == "recorded" and rerecorded.request.body["model"] == helpers.MODEL
    assert sorted(bool(seen.body.get("stream")) for seen in loopback.seen) == [False, True]
    for path in course_env.glob("*.json"):
        assert API_KEY.encode() not in path.read_bytes()

    monkeypatch.setenv("COURSE_MODE", "replay")
    monkeypatch.setenv("COURSE_REPLAY_SPEED", "0")
    with helpers.make_client().messages.stream(**{k: v for k, v in rerecorded.request.body.items() if k != "stream"}) as stream:
        assert stream.get_final_text() == "Hello, wörld! ☕ done"


def test_record_without_a_key_says_what_is_needed(monkeypatch, capsys):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    assert main(["record"]) == 2
    assert "needs ANTHROPIC_API_KEY" in capsys.readouterr().err
