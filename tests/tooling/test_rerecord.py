"""``python -m helpers record`` re-records recordings live: here against the loopback API."""

import shutil

from loopback_server import API_KEY
from paths import ROOT

import helpers
from helpers.replay import recording_file
from helpers.tooling.cli import main
from helpers.tooling.rerecord import why_not_rerecordable


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


def copy_shipped(folder, *names: str) -> dict[str, bytes]:
    folder.mkdir()
    for name in names:
        shutil.copy(ROOT / "fixtures" / f"{name}.json", folder / f"{name}.json")
    return {path.name: path.read_bytes() for path in folder.glob("*.json")}


def test_a_rejected_key_stops_the_record_command_before_anything_changes(course_env, loopback, capsys):
    before = copy_shipped(course_env, "short_summary", "doc_generator-blocking", "latency_terms")
    loopback.fail_next(401)

    assert main(["record"]) == 1

    out, err = capsys.readouterr()
    assert {path.name: path.read_bytes() for path in course_env.glob("*.json")} == before
    assert list(course_env.rglob("rejected/*")) == []
    assert len(loopback.seen) == 1  # one request, then it stopped
    assert "stopped: the API refused the key or this request (HTTP 401); unchanged" in out
    assert out.count("not tried  ") == 2
    assert "stopped: 1; not tried: 2." in out
    assert API_KEY not in out + err


def test_a_connection_lost_midway_is_reported_and_the_recording_stays(course_env, loopback, capsys):
    before = copy_shipped(course_env, "short_summary")
    loopback.cut_stream_after = 4

    assert main(["record"]) == 1

    out = capsys.readouterr().out
    assert {path.name: path.read_bytes() for path in course_env.glob("*.json")} == before
    assert "failed: RemoteProtocolError: peer closed connection" in out and out.rstrip().endswith("failed: 1."), out
    assert not (course_env / "rejected").exists()  # nothing complete arrived, so nothing is kept


def test_a_live_server_error_is_kept_beside_the_recording(course_env, loopback, capsys):
    before = copy_shipped(course_env, "short_summary")
    loopback.fail_next(500, 500, 500)

    assert main(["record"]) == 1

    out, err = capsys.readouterr()
    assert {path.name: path.read_bytes() for path in course_env.glob("*.json")} == before
    assert "kept as it was; the live answer is in rejected/short_summary.json  short_summary" in out
    assert recording_file.load(course_env / "rejected" / "short_summary.json").exchanges[-1].response.status == 500
    assert "Not saved as short_summary.json: the answer was HTTP 500" in err


def test_recordings_that_exist_to_fail_are_not_re_recorded():
    for name in ("events_retry_529", "tools_invalid_json"):
        assert why_not_rerecordable(recording_file.load(ROOT / "fixtures" / f"{name}.json")) is not None
    assert why_not_rerecordable(recording_file.load(ROOT / "fixtures" / "short_summary.json")) is None


def test_record_refuses_a_folder_with_two_recordings_of_one_request_before_sending(course_env, loopback, capsys):
    copy_shipped(course_env, "short_summary")
    shutil.copy(course_env / "short_summary.json", course_env / "twin.json")
    assert main(["record"]) == 2
    assert "answer the same request (short_summary.json and twin.json)" in capsys.readouterr().err
    assert loopback.seen == []


def test_record_names_a_missing_folder(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)
    monkeypatch.setenv("COURSE_FIXTURES", str(tmp_path / "nowhere"))
    assert main(["record"]) == 2
    assert "There is no folder" in capsys.readouterr().err


def test_record_reports_an_unreadable_recording_and_goes_on(course_env, loopback, capsys):
    copy_shipped(course_env, "short_summary")
    (course_env / "broken.json").write_text("{", encoding="utf-8")
    assert main(["record"]) == 1
    out = capsys.readouterr().out
    assert "failed: cannot be read" in out and "re-recorded live  short_summary" in out
