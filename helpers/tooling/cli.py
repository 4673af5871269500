"""``python -m helpers``: build, check, import and re-record the course's recordings, refresh the notebooks,
show how Markdown streams, serve the web app."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from helpers import config
from helpers.errors import CourseError
from helpers.replay import recording_file
from helpers.tooling.check_recordings import Report, check_file, recordings_in, same_requests
from helpers.tooling.drift import drift
from helpers.tooling.import_sse import import_capture, read_capture, read_request
from helpers.tooling.markdown_file import read_markdown
from helpers.tooling.rerecord import rerecord
from helpers.tooling.synthesize import build_all
from helpers.views.markdown_frames import markdown_frames
from helpers.views.raw_markup import raw_markup, visible_markup
from helpers.views.safe_markdown import render_markdown


def _build(args: argparse.Namespace) -> int:
    folder = config.fixtures_dir()
    report = build_all(folder / "specs", folder, write=not args.check)
    for name, what in report:
        print(f"{what:>22}  {name}")
    stale = [name for name, what in report if what == "differs"]
    if stale:
        print(f"{len(stale)} recording(s) differ from a fresh build: run `python -m helpers build`.")
    return 1 if stale else 0


def _check(args: argparse.Namespace) -> int:
    paths = recordings_in([Path(p) for p in args.paths] or [config.fixtures_dir()])
    twins = same_requests(paths)
    failed = 0
    for path in paths:
        try:
            report = check_file(path)
        except Exception as err:  # one file that defeats a check must not hide the others
            report = Report(path, [f"could not be checked: {type(err).__name__}: {err}"])
        report.problems += [f"answers the same request as {other}: replay refuses the folder; delete one" for other in twins.get(path, [])]
        print(f"{'ok' if report.ok else 'FAIL':<5} {path}  {report.summary}".rstrip())
        for problem in report.problems:
            print(f"      - {problem}")
        failed += not report.ok
    print(f"{len(paths)} recording(s) checked: {len(paths) - failed} ok, {failed} with problems.")
    return 1 if failed or not paths else 0


def _import(args: argparse.Namespace) -> int:
    capture, out = Path(args.capture), Path(args.out)
    if out.exists() and not args.force:
        raise CourseError(f"{out} exists; choose another --out or pass --force to replace it.")
    raw = read_capture(capture)
    request = read_request(Path(args.request)) if args.request else None
    imported = import_capture(raw, capture.name, request, args.add_final_blank_line)
    for warning in imported.warnings:
        print(f"note: {warning}")
    recording_file.save(imported.recording, out)
    print(f"wrote {out} ({len(imported.recording.exchanges[0].response.chunks)} chunks, byte for byte)")
    return 0


RECORD_OUTCOMES = ("re-recorded", "skipped", "kept", "failed", "stopped", "not tried")  # how each line of rerecord's report begins


def _record(args: argparse.Namespace) -> int:
    results = rerecord(config.fixtures_dir(), args.names)
    for name, what in results:
        print(f"{what:>40}  {name}")
    counts = Counter(next(kind for kind in RECORD_OUTCOMES if what.startswith(kind)) for _, what in results)
    print("; ".join(f"{kind}: {counts[kind]}" for kind in RECORD_OUTCOMES if counts[kind]) + ".")
    return 1 if any(what.startswith(("kept", "failed", "stopped")) for _, what in results) else 0


def _drift(args: argparse.Namespace) -> int:
    report = drift(config.fixtures_dir(), args.names)
    for line in report.findings:
        print(f"DRIFT {line}")
    for line in report.notes:
        print(f"      {line}")
    verdict = f"{len(report.findings)} difference(s) to look at" if report.drifted else "no new shapes"
    print(f"{report.compared} live answer(s) compared with the recordings: {verdict}.")
    return 1 if report.drifted else 0


def _refresh(args: argparse.Namespace) -> int:
    from helpers.tooling.refresh_notebooks import refresh  # imports Jupyter machinery only for this command

    notebooks = [Path(p) for p in args.notebooks] or sorted(Path("notebooks").glob("*.ipynb"))
    for path in notebooks:
        print(f"executing {path} (replay, no waiting)")
        refresh(path)
    return 0


def _render_frames(args: argparse.Namespace) -> int:
    text = read_markdown(args.file)
    final = visible_markup(render_markdown(text))
    for number, frame in enumerate(markdown_frames(text, args.chunk, heal=not args.raw)):
        raw = [] if frame.final else raw_markup(frame.html, final)
        print(
            json.dumps(
                {"frame": number, "chars": frame.chars, "final": frame.final, "raw_markup": raw, "html": frame.html}, ensure_ascii=False
            )
        )
    return 0


def _web(args: argparse.Namespace) -> int:
    from helpers.web import app, server  # imports the web server only for this command

    server.check_host(args.host, args.allow_remote)
    web_app = app.create_app(allowed_hosts=["*"] if args.allow_remote else app.LOOPBACK_HOSTS)
    sock = server.bind(args.host, args.port)
    print(f"Lesson 05's web app: {server.url_of(sock)}  (Ctrl-C stops it)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn stops cleanly on Ctrl-C, then passes it on
        server.serve(web_app, sock)
    print("Stopped.")
    return 0


def _positive(value: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return number


def parser() -> argparse.ArgumentParser:
    """The command line: one subcommand per job, each with its own ``--help``."""
    top = argparse.ArgumentParser(
        prog="python -m helpers",
        description="Build, check, import and re-record the course's recordings, and refresh the notebooks' outputs.",
    )
    commands = top.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="synthesize fixtures/*.json from fixtures/specs/*.toml")
    build.add_argument("--check", action="store_true", help="only report recordings that differ from a fresh build")
    build.set_defaults(run=_build)

    check = commands.add_parser("check", help="validate recordings: format, event order, SDK parse, no secrets")
    check.add_argument("paths", nargs="*", help="recording files or folders (default: the fixtures folder)")
    check.set_defaults(run=_check)

    imp = commands.add_parser("import-sse", help="turn a raw SSE capture into a recording, byte for byte")
    imp.add_argument("capture", help="the capture: `curl -N` output (with or without -i) or an SDK test file")
    imp.add_argument("--out", required=True, help="the recording to write, e.g. fixtures/my_capture.json")
    imp.add_argument("--request", help="JSON file with the request body the capture answered")
    imp.add_argument("--add-final-blank-line", action="store_true", help="append the blank line a truncated capture lacks")
    imp.add_argument("--force", action="store_true", help="replace --out if it exists")
    imp.set_defaults(run=_import)

    record = commands.add_parser("record", help="re-record recordings live (needs ANTHROPIC_API_KEY)")
    record.add_argument("names", nargs="*", help="recording names to re-record (default: all that can be)")
    record.set_defaults(run=_record)

    drifted = commands.add_parser("drift", help="send the recordings' requests live and report shapes the recordings lack")
    drifted.add_argument("names", nargs="*", help="recording names to compare (default: all that can be re-recorded)")
    drifted.set_defaults(run=_drift)

    refresh = commands.add_parser("refresh-notebooks", help="re-execute notebooks under replay so committed outputs are current")
    refresh.add_argument("notebooks", nargs="*", help="notebook files (default: notebooks/*.ipynb)")
    refresh.set_defaults(run=_refresh)

    frames = commands.add_parser("render-frames", help="print what lesson 04's streaming Markdown view shows at each redraw, as JSON lines")
    frames.add_argument("file", help="a Markdown file (UTF-8), or - for standard input")
    frames.add_argument("--chunk", type=_positive, default=4, help="characters that arrive between redraws (default 4)")
    frames.add_argument("--raw", action="store_true", help="do not heal the open tail: see the raw markup it would show")
    frames.set_defaults(run=_render_frames)

    web = commands.add_parser("web", help="serve lesson 05's streaming web app (replay offline, live with ANTHROPIC_API_KEY)")
    web.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    web.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    web.add_argument("--allow-remote", action="store_true", help="allow a --host other machines can reach (live mode spends your key)")
    web.set_defaults(run=_web)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a course error is one line on stderr and exit status 2, not a traceback."""
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except CourseError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as command-line tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
