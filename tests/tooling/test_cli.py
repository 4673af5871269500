"""``python -m helpers``: build determinism, check, import-sse; each exit code and message."""

import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from paths import ROOT

import helpers
from helpers.replay import recording_file
from helpers.tooling.cli import main
from helpers.tooling.synthesize import build_all
from helpers.views.safe_markdown import render_markdown
from helpers.views.tail_healing import CARET

FIXTURES = ROOT / "fixtures"


def test_committed_synthesized_recordings_equal_a_fresh_build():
    report = build_all(FIXTURES / "specs", FIXTURES, write=False)
    assert report, "no specs found"
    assert all(what in ("unchanged", "kept (recorded live)") for _, what in report), report


def test_every_spec_output_exists_and_every_recording_has_a_source():
    built = {name for name, _ in build_all(FIXTURES / "specs", FIXTURES, write=False)}
    for path in FIXTURES.glob("*.json"):
        source = recording_file.load(path).source
        assert path.name in built or source in ("recorded", "imported"), f"{path.name}: synthesized but no spec makes it"


def test_build_is_deterministic_and_reports_a_stale_recording(tmp_path, capsys, monkeypatch):
    shutil.copytree(FIXTURES / "specs", tmp_path / "specs")
    monkeypatch.setenv("COURSE_FIXTURES", str(tmp_path))
    assert main(["build"]) == 0
    first = {p.name: p.read_bytes() for p in tmp_path.glob("*.json")}
    assert main(["build"]) == 0
    assert first == {p.name: p.read_bytes() for p in tmp_path.glob("*.json")}
    victim = tmp_path / "short_summary.json"
    victim.write_text(victim.read_text().replace("Streaming", "Spreading", 1))
    capsys.readouterr()
    assert main(["build", "--check"]) == 1
    assert "short_summary.json" in capsys.readouterr().out


def test_check_passes_the_shipped_fixtures(capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "0 with problems" in out and "stop_reason=end_turn" in out


def _broken_copy(tmp_path: Path, edit) -> Path:
    path = tmp_path / "broken.json"
    data = json.loads((FIXTURES / "short_summary.json").read_text())
    edit(data)
    path.write_text(json.dumps(data))
    return path


def _swap_times(chunks: list, a: int, b: int) -> None:
    chunks[a][0], chunks[b][0] = chunks[b][0], chunks[a][0]


@pytest.mark.parametrize(
    "edit, expected",
    [
        (lambda d: _swap_times(d["exchanges"][0]["response"]["chunks"], 3, 4), "chunk offsets go backwards"),
        (lambda d: d["exchanges"][0]["response"]["chunks"].pop(), "ends before message_stop"),
        (lambda d: d["exchanges"][0]["response"]["headers"].update({"set-cookie": "a=b"}), "'set-cookie' must not be stored"),
        (lambda d: d["exchanges"][0]["response"]["headers"].update({"content-encoding": "gzip"}), "breaks replay"),
        (lambda d: d["provenance"].pop("date"), "provenance lacks date"),
        (lambda d: d["exchanges"][0]["request"]["body"].update({"system": "sk-ant-api03-abcdefghijklmnop"}), "looks like a secret"),
        (
            lambda d: d["exchanges"][0]["response"]["chunks"].append([9.9, {"base64": _b64(b"key sk-ant-api03-abcdefghijklmnop")}]),
            "looks like a secret",
        ),
        (
            lambda d: d["exchanges"][0]["response"].update(status=401, chunks=[[0.2, ERROR_401]]),
            "ends in HTTP 401: replay would serve a failure",
        ),
        (lambda d: d["exchanges"][0]["response"]["chunks"].pop(), "ends in a stream that stopped before message_stop"),
        (
            lambda d: d["exchanges"][0]["response"].update(status=200.9),
            "status must be an HTTP status code, a whole number from 100 to 599, got 200.9",
        ),
        (
            lambda d: d["exchanges"][0]["response"].update(headers_at=float("inf")),
            "headers_at must be a number of seconds from 0 to 3600, got inf",
        ),
        (
            lambda d: d["exchanges"][0]["response"].update(headers_at=float("nan")),
            "headers_at must be a number of seconds from 0 to 3600, got nan",
        ),
        (lambda d: d["exchanges"][0]["response"].update(headers_at=-1), "headers_at must be a number of seconds from 0 to 3600, got -1"),
        (
            lambda d: d["exchanges"][0]["response"]["chunks"][-1].__setitem__(0, 86400),
            "a chunk's time must be a number of seconds from 0 to 3600, got 86400",
        ),
    ],
)
def test_check_names_what_is_wrong(tmp_path, capsys, edit, expected):
    path = _broken_copy(tmp_path, edit)
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and expected in out


ERROR_401 = json.dumps({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}})


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def test_check_reports_every_bad_file_and_never_a_traceback(tmp_path, capsys):
    shutil.copy(FIXTURES / "short_summary.json", tmp_path / "a_good.json")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "folder.json").mkdir()
    (tmp_path / "loop.json").symlink_to(tmp_path / "loop.json")
    (tmp_path / "settings.json").write_text('{"theme": "dark"}')
    (tmp_path / "huge_number.json").write_text('{"n": ' + "9" * 5000 + "}")
    assert main(["check", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "ok    " + str(tmp_path / "a_good.json") in out
    assert "JSON nested too deeply" in out and out.count("cannot be read") == 2 and "not a recording" in out
    assert "6 recording(s) checked: 1 ok, 5 with problems." in out
    assert "huge_number.json: not valid JSON" in out


def test_check_names_both_recordings_of_one_request(tmp_path, capsys):
    for name in ("first", "second"):
        shutil.copy(FIXTURES / "short_summary.json", tmp_path / f"{name}.json")
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"answers the same request as {tmp_path / 'second.json'}" in out
    assert f"answers the same request as {tmp_path / 'first.json'}" in out


@pytest.mark.subprocess
def test_check_piped_into_head_stops_quietly(tmp_path):
    for n in range(40):
        data = json.loads((FIXTURES / "short_summary.json").read_text())
        data["exchanges"][0]["request"]["body"]["max_tokens"] = 100 + n
        (tmp_path / f"r{n:02}.json").write_text(json.dumps(data))
    piped = subprocess.run(
        f"{sys.executable} -m helpers check {tmp_path} | head -n 1", shell=True, capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert piped.stdout.startswith("ok")
    assert piped.stderr == ""


def test_check_reports_an_unreadable_file(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert main(["check", str(bad)]) == 1
    assert "not valid JSON" in capsys.readouterr().out


CAPTURE = (
    b'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant",'
    b'"model":"claude-x","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}   }\n\n'
    b'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n'
    b'event: ping\ndata: {"type": "ping"}\n\n'
    b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Ol\xc3\xa1"}}\n\n'
    b'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n'
    b'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},'
    b'"usage":{"output_tokens":2}}\n\n'
    b'event: message_stop\ndata: {"type":"message_stop"}\n\n'
)


def test_import_keeps_the_capture_byte_for_byte_and_checks_clean(tmp_path, capsys):
    capture, out = tmp_path / "c.sse", tmp_path / "c.json"
    capture.write_bytes(CAPTURE)
    assert main(["import-sse", str(capture), "--out", str(out)]) == 0
    imported = recording_file.load(out)
    assert imported.exchanges[0].response.body == CAPTURE
    assert imported.source == "imported" and "synthesized" in imported.provenance["timing"]
    offsets = [c.at for c in imported.exchanges[0].response.chunks]
    assert offsets == sorted(offsets) and len(offsets) == 7
    assert main(["check", str(out)]) == 0


def test_import_of_curl_i_output_drops_secret_headers_and_uses_the_request(tmp_path):
    capture, request, out = tmp_path / "c.txt", tmp_path / "req.json", tmp_path / "c.json"
    head = (
        b"HTTP/2 200\r\ncontent-type: text/event-stream\r\nrequest-id: req_9\r\nset-cookie: s=1\r\nanthropic-organization-id: org-1\r\n\r\n"
    )
    capture.write_bytes(head + CAPTURE)
    request.write_text(json.dumps({"model": "m", "max_tokens": 9, "messages": [{"role": "user", "content": "hi"}]}))
    assert main(["import-sse", str(capture), "--out", str(out), "--request", str(request)]) == 0
    response = recording_file.load(out).exchanges[0].response
    assert response.body == CAPTURE
    assert response.headers == {"content-type": "text/event-stream", "request-id": "req_9"}
    assert recording_file.load(out).request.body["stream"] is True


def test_import_says_so_when_the_last_event_would_be_dropped(tmp_path, capsys):
    capture, out = tmp_path / "c.sse", tmp_path / "c.json"
    capture.write_bytes(CAPTURE[:-1])
    assert main(["import-sse", str(capture), "--out", str(out)]) == 0
    assert "without a blank line" in capsys.readouterr().out
    assert recording_file.load(out).exchanges[0].response.body == CAPTURE[:-1]
    assert main(["import-sse", str(capture), "--out", str(out), "--force", "--add-final-blank-line"]) == 0
    assert recording_file.load(out).exchanges[0].response.body == CAPTURE


def test_import_refuses_to_overwrite_or_to_store_a_key(tmp_path, capsys):
    capture, out = tmp_path / "c.sse", tmp_path / "c.json"
    capture.write_bytes(CAPTURE)
    out.write_text("keep me")
    assert main(["import-sse", str(capture), "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err and out.read_text() == "keep me"
    capture.write_bytes(CAPTURE.replace(b"Ol\xc3\xa1", b"sk-ant-api03-secretsecret"))
    assert main(["import-sse", str(capture), "--out", str(tmp_path / "new.json")]) == 2
    assert "credential" in capsys.readouterr().err and not (tmp_path / "new.json").exists()


def test_import_of_a_missing_capture_is_a_clear_error(tmp_path, capsys):
    assert main(["import-sse", str(tmp_path / "nope.sse"), "--out", str(tmp_path / "x.json")]) == 2
    assert "no such capture file" in capsys.readouterr().err


def imported_from(tmp_path: Path, raw: bytes, capsys) -> tuple[int, str, Path]:
    capture, out = tmp_path / "c.txt", tmp_path / "c.json"
    capture.write_bytes(raw)
    code = main(["import-sse", str(capture), "--out", str(out)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err, out


HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n"


def test_import_skips_the_100_continue_curl_shows_before_the_answer(tmp_path, capsys):
    code, _, out = imported_from(tmp_path, b"HTTP/1.1 100 Continue\r\n\r\n" + HEAD + CAPTURE, capsys)
    assert code == 0
    response = recording_file.load(out).exchanges[0].response
    assert response.status == 200 and response.body == CAPTURE


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"HTTP/1.1 100 Continue\r\n\r\n", "interim 'HTTP/1.1 100 Continue' but no final response"),
        (b"HTTP/1.1 OK\r\n\r\n" + CAPTURE, "'HTTP/1.1 OK' is not an HTTP status line such as 'HTTP/1.1 200 OK'"),
        (b"HTTP/1.1 2000 Fine\r\n\r\n" + CAPTURE, "is not an HTTP status line"),
        (b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n", "no blank line before the body"),
        (CAPTURE.decode().encode("utf-16-le"), "looks like UTF-16 without a byte order mark"),
    ],
)
def test_import_of_a_capture_it_cannot_read_says_what_is_wrong(tmp_path, capsys, raw, expected):
    code, said, out = imported_from(tmp_path, raw, capsys)
    assert code == 2 and expected in said and "Traceback" not in said
    assert not out.exists()


@pytest.mark.parametrize(
    ("prefix", "encoding", "note"),
    [
        (b"\xef\xbb\xbf", "utf-8", "Removed the byte order mark"),
        (b"\xff\xfe", "utf-16-le", "Converted the capture from UTF-16-LE"),
        (b"\xfe\xff", "utf-16-be", "Converted the capture from UTF-16-BE"),
    ],
)
def test_import_reads_a_capture_saved_with_a_byte_order_mark(tmp_path, capsys, prefix, encoding, note):
    code, said, out = imported_from(tmp_path, prefix + CAPTURE.decode("utf-8").encode(encoding), capsys)
    assert code == 0 and note in said
    assert recording_file.load(out).exchanges[0].response.body == CAPTURE


def test_import_of_a_folder_asks_for_the_file(tmp_path, capsys):
    assert main(["import-sse", str(tmp_path), "--out", str(tmp_path / "x.json")]) == 2
    assert "is a folder; give the capture file itself" in capsys.readouterr().err


@pytest.mark.subprocess
def test_module_entry_point_prints_help():
    result = subprocess.run([sys.executable, "-m", "helpers", "--help"], capture_output=True, text=True, check=True)
    for command in ("build", "check", "import-sse", "record", "drift", "refresh-notebooks"):
        assert command in result.stdout


def test_imported_captures_without_a_request_are_served_by_name_only(tmp_path, monkeypatch):
    capture = tmp_path / "c.sse"
    capture.write_bytes(CAPTURE)
    for name in ("one", "two"):
        assert main(["import-sse", str(capture), "--out", str(tmp_path / f"{name}.json")]) == 0
    monkeypatch.setenv("COURSE_FIXTURES", str(tmp_path))
    assert helpers.status_line(helpers.make_client()).endswith("recordings: none")
    with helpers.make_client(speed=0, recording="two").messages.stream(model="m", max_tokens=5, messages=[]) as stream:
        assert stream.get_final_text() == "Ol\u00e1"


def test_record_names_an_unknown_recording(monkeypatch, capsys):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-not-a-real-key-000")
    assert main(["record", "no_such_recording"]) == 2
    assert "No recording named no_such_recording" in capsys.readouterr().err


def test_check_verifies_the_error_a_recording_intends(tmp_path, capsys):
    assert main(["check", str(FIXTURES / "tools_invalid_json.json")]) == 0
    assert "SDK raises ValueError, as this recording intends" in capsys.readouterr().out
    data = json.loads((FIXTURES / "tools_invalid_json.json").read_text())
    data["provenance"]["expect_sdk_error"] = "KeyError"
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(data))
    assert main(["check", str(wrong)]) == 1
    assert "intends KeyError, but the SDK raised ValueError" in capsys.readouterr().out
    data = json.loads((FIXTURES / "short_summary.json").read_text())
    data["provenance"]["expect_sdk_error"] = "ValueError"
    wrong.write_text(json.dumps(data))
    assert main(["check", str(wrong)]) == 1
    assert "intends ValueError, but the SDK returned a message" in capsys.readouterr().out


def test_render_frames_prints_one_json_line_per_redraw_ending_with_the_whole_render(tmp_path, capsys):
    text = "# Title\n\nSome **bold** and `code`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    source = tmp_path / "answer.md"
    source.write_text(text, encoding="utf-8")
    assert main(["render-frames", str(source), "--chunk", "5"]) == 0
    frames = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(frames) == -(-len(text) // 5) + 1 and [f["frame"] for f in frames] == list(range(len(frames)))
    assert frames[-1] == {"frame": len(frames) - 1, "chars": len(text), "final": True, "raw_markup": [], "html": render_markdown(text)}
    assert not any(f["raw_markup"] for f in frames) and all(CARET in f["html"] for f in frames[:-1])
    assert main(["render-frames", str(source), "--chunk", "5", "--raw"]) == 0
    unhealed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {kind for f in unhealed for kind in f["raw_markup"]} >= {"*", "`", "|"}


@pytest.mark.parametrize(
    ("argument", "message"),
    [("missing.md", "does not exist"), (".", "is a folder"), ("latin1.md", "is not UTF-8 text")],
)
def test_render_frames_names_a_file_it_cannot_read(tmp_path, monkeypatch, capsys, argument, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "latin1.md").write_bytes("caf\xe9".encode("latin-1"))
    assert main(["render-frames", argument]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_render_frames_refuses_a_chunk_below_one(capsys):
    with pytest.raises(SystemExit):
        main(["render-frames", "-", "--chunk", "0"])
    assert "not a whole number of at least 1" in capsys.readouterr().err
