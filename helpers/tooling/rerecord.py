"""Re-record the course's recordings live: every request a recording answers, sent again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anthropic

from helpers import config
from helpers.client import make_client
from helpers.errors import CourseError
from helpers.replay import recording_file
from helpers.replay.overwrite import is_story
from helpers.replay.recorder import Recorder
from helpers.tooling.check_recordings import same_requests


def why_not_rerecordable(recording: recording_file.Recording) -> str | None:
    """A reason this recording cannot be provoked live, or None if it can."""
    if is_story(recording):
        return "skipped: a failure story, the live API will not fail on demand"
    if recording.by_name_only:
        return "skipped: an imported capture with no request"
    return None


def rerecord(folder: Path, names: list[str]) -> list[tuple[str, str]]:
    """Send each recording's request through a record-mode client; ``(name, outcome)`` each.

    Record mode writes over the file whose request matches, so names stay and notebooks need
    no change, and only with a complete answer (``helpers.replay.overwrite``). The course model
    (``COURSE_MODEL``) is asked, whatever model was recorded. A rejected key stops everything at
    once: no other request would fare better.
    """
    if not folder.is_dir():
        raise CourseError(f"There is no folder {folder} of recordings to re-record; check COURSE_FIXTURES.")
    paths = sorted(folder.glob("*.json"))
    unknown = sorted(set(names) - {p.stem for p in paths})
    if unknown:
        raise CourseError(f"No recording named {', '.join(unknown)} in {folder}; names are file names without .json.")
    twins = same_requests(paths)
    if twins:
        pairs = sorted({" and ".join(sorted(p.name for p in [path, *others])) for path, others in twins.items()})
        raise CourseError(f"Some recordings answer the same request ({'; '.join(pairs)}): delete one of each first.")
    chosen = [path for path in paths if not names or path.stem in names]
    results: list[tuple[str, str]] = []
    with make_client("record") as client:
        for n, path in enumerate(chosen):
            try:
                recording = recording_file.load(path)
            except CourseError as err:
                results.append((path.stem, f"failed: cannot be read ({err})"))
                continue
            reason = why_not_rerecordable(recording)
            if reason:
                results.append((path.stem, reason))
                continue
            before = path.read_bytes()
            aside = folder / Recorder.ASIDE / path.name
            aside_before = _stamp(aside)
            try:
                _send(client, {**recording.request.body, "model": config.course_model()})
            except (anthropic.AuthenticationError, anthropic.PermissionDeniedError) as err:
                results.append((path.stem, f"stopped: the API refused the key or this request (HTTP {err.status_code}); unchanged"))
                results += [(later.stem, "not tried") for later in chosen[n + 1 :]]
                break
            except Exception as err:  # report and go on: one failure must not stop the others
                results.append((path.stem, _set_aside(aside, aside_before) or f"failed: {type(err).__name__}: {err}"))
                continue
            results.append((path.stem, _kept(path, before, aside, aside_before) or "re-recorded live"))
    return results


def _send(client: anthropic.Anthropic, body: dict[str, Any]) -> None:
    if body.pop("stream", False):
        with client.messages.stream(**body) as stream:
            stream.until_done()
    else:
        client.messages.create(**body)


def _stamp(path: Path) -> int | None:
    return path.stat().st_mtime_ns if path.exists() else None


def _kept(path: Path, before: bytes, aside: Path, aside_before: int | None) -> str | None:
    """Where the live answer went when the recording was not replaced; None if it was replaced."""
    if path.read_bytes() != before:
        return None
    return _set_aside(aside, aside_before) or "kept as it was; the live answer was not recorded"


def _set_aside(aside: Path, aside_before: int | None) -> str | None:
    """The report line when this run wrote the live answer to ``rejected/``, else None."""
    if _stamp(aside) == aside_before:
        return None
    return f"kept as it was; the live answer is in {Recorder.ASIDE}/{aside.name}"
