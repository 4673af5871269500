"""``python -m helpers check``: is a recording well-formed, legal, parseable by the SDK, and clean?"""

from __future__ import annotations

import inspect
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anthropic

from helpers.client import make_client
from helpers.errors import RecordingError
from helpers.replay import recording_file
from helpers.replay.event_order import validate_body
from helpers.replay.live import sdk_would_retry
from helpers.replay.matching import request_key
from helpers.replay.overwrite import outcome
from helpers.replay.recording_file import Exchange, Recording
from helpers.replay.scrub import UNREPLAYABLE_HEADERS, find_secrets, is_secret_header

PROVENANCE_FIELDS = ("source", "date", "model")


@dataclass
class Report:
    """What ``check`` found in one recording: a one-line summary and every problem."""

    path: Path
    problems: list[str] = field(default_factory=list)
    summary: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def _exchange_problems(n: int, exchange: Exchange, last: bool) -> list[str]:
    where = f"exchanges[{n}]"
    response = exchange.response
    problems = [f"{where}: header {name!r} must not be stored" for name in response.headers if is_secret_header(name)]
    problems += [
        f"{where}: header {name!r} breaks replay (httpx2 would re-decode the body)"
        for name in response.headers
        if name in UNREPLAYABLE_HEADERS
    ]
    offsets = [response.headers_at] + [chunk.at for chunk in response.chunks]
    if any(b < a for a, b in itertools.pairwise(offsets)):
        problems.append(f"{where}: chunk offsets go backwards in time")
    if not last and not sdk_would_retry(response.status):
        problems.append(f"{where}: status {response.status} is not retried by the SDK, so later attempts are never reached")
    if response.status != 200:
        try:
            error = json.loads(response.body)
            assert error["type"] == "error" and "type" in error["error"]
        except (ValueError, KeyError, TypeError, AssertionError):
            problems.append(f"{where}: an HTTP {response.status} body must be a JSON error object")
    elif exchange.request.is_stream:
        problems += [f"{where}: {p}" for p in validate_body(response.body).problems]
    else:
        try:
            assert json.loads(response.body)["type"] == "message"
        except (ValueError, KeyError, TypeError, AssertionError):
            problems.append(f"{where}: a non-streaming 200 must serve a JSON message (the SDK would return a str)")
    return problems


def _messages_for(client: anthropic.Anthropic, body: dict[str, Any]) -> Any:
    """``client.messages``, or ``client.beta.messages`` for a body with fields only the beta takes
    (a server-side fallback's ``fallbacks``, say), as the lesson that sends it does."""
    accepted = inspect.signature(client.messages.stream).parameters
    return client.beta.messages if any(key not in accepted for key in body) else client.messages


def _replay_with_sdk(recording: Recording) -> tuple[str, list[str]]:
    """Run the recorded request through the real SDK; returns (summary, problems)."""
    assert recording.path is not None
    body: dict[str, Any] = dict(recording.request.body)
    stream = body.pop("stream", False)
    client = make_client("replay", speed=0, recording=recording.path, max_retries=len(recording.exchanges) - 1, fault="")
    last = recording.exchanges[-1].response
    intended = recording.provenance.get("expect_sdk_error")
    try:
        if stream:
            with _messages_for(client, body).stream(**body) as live:
                message = live.get_final_message()
        else:
            message = client.messages.create(**body)
    except Exception as err:  # a recording may exist to show exactly this error
        if intended and type(err).__name__ == intended:
            return f"SDK raises {intended}, as this recording intends", []
        if intended:
            return "", [f"the recording intends {intended}, but the SDK raised {type(err).__name__}: {err}"]
        if not isinstance(err, anthropic.APIStatusError):
            return "", [f"the SDK could not parse it: {type(err).__name__}: {err}"]
        if last.status != 200 or b"event: error" in last.body:
            return f"SDK raises {type(err).__name__} ({err.status_code}), as recorded", []
        return "", [f"the SDK raised {type(err).__name__}: {err}"]
    if intended:
        return "", [f"the recording intends {intended}, but the SDK returned a message"]
    if last.status != 200:
        return "", [f"the SDK returned a message although the last attempt is HTTP {last.status}"]
    blocks = ",".join(block.type for block in message.content)
    return f"SDK final message: [{blocks}] stop_reason={message.stop_reason} output_tokens={message.usage.output_tokens}", []


def _text_of(stored: str, recording: Recording) -> str:
    """The file as stored and every body decoded, so a secret inside a base64 chunk is seen too."""
    bodies = [exchange.response.body.decode("utf-8", errors="replace") for exchange in recording.exchanges]
    return "\n".join([stored, *bodies])


def same_requests(paths: list[Path]) -> dict[Path, list[Path]]:
    """Recordings that answer the same request as others (replay refuses such a folder): each with the others."""
    by_key: dict[str, list[Path]] = {}
    for path in paths:
        try:
            recording = recording_file.load(path)
        except RecordingError:
            continue  # reported by check_file
        if not recording.by_name_only:
            request = recording.request
            by_key.setdefault(request_key(request.method, request.path, request.body), []).append(path)
    return {path: [other for other in group if other != path] for group in by_key.values() if len(group) > 1 for path in group}


def check_file(path: Path) -> Report:
    """Every check on one recording; problems are sentences a recording's author can act on."""
    report = Report(path)
    try:
        stored = recording_file.read_text(path)
        recording = recording_file.loads(stored, path)
    except RecordingError as err:
        report.problems.append(str(err))
        return report
    missing = [name for name in PROVENANCE_FIELDS if not recording.provenance.get(name)]
    if missing:
        report.problems.append(f"provenance lacks {', '.join(missing)}")
    for n, exchange in enumerate(recording.exchanges):
        report.problems += _exchange_problems(n, exchange, last=n == len(recording.exchanges) - 1)
    ended = outcome(recording)
    if ended and "expect_sdk_error" not in recording.provenance:
        report.problems.append(
            f"the last attempt ends in {ended}: replay would serve a failure as the answer. Record it again, "
            "or declare the failure it exists to show with provenance.expect_sdk_error."
        )
    report.problems += [f"looks like a secret: {s[:12]}…" for s in sorted(set(find_secrets(_text_of(stored, recording))))]
    summary, sdk_problems = _replay_with_sdk(recording)
    report.summary = summary
    report.problems += sdk_problems
    return report


def recordings_in(paths: list[Path]) -> list[Path]:
    """Files named, and the ``*.json`` recordings inside folders named."""
    found: list[Path] = []
    for path in paths:
        found += sorted(path.glob("*.json")) if path.is_dir() else [path]
    return found
