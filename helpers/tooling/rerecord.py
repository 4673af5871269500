"""Re-record the course's recordings live: every request a recording answers, sent again."""

from __future__ import annotations

from pathlib import Path

from helpers import config
from helpers.client import make_client
from helpers.errors import CourseError
from helpers.replay import recording_file


def why_not_rerecordable(recording: recording_file.Recording) -> str | None:
    """A reason this recording cannot be provoked live, or None if it can."""
    if len(recording.exchanges) > 1 or recording.exchanges[-1].response.status != 200:
        return "kept: a failure story, the live API will not fail on demand"
    if recording.by_name_only:
        return "kept: an imported capture with no request"
    return None


def rerecord(folder: Path, names: list[str]) -> list[tuple[str, str]]:
    """Send each recording's request through a record-mode client; ``(name, outcome)`` each.

    Record mode writes over the file whose request matches, so names stay and notebooks need
    no change. The course model (``COURSE_MODEL``) is asked, whatever model was recorded.
    """
    paths = sorted(folder.glob("*.json"))
    unknown = sorted(set(names) - {p.stem for p in paths})
    if unknown:
        raise CourseError(f"No recording named {', '.join(unknown)} in {folder}; names are file names without .json.")
    results = []
    with make_client("record") as client:
        for path in paths:
            if names and path.stem not in names:
                continue
            recording = recording_file.load(path)
            reason = why_not_rerecordable(recording)
            if reason:
                results.append((path.stem, reason))
                continue
            body = {**recording.request.body, "model": config.course_model()}
            try:
                if body.pop("stream", False):
                    with client.messages.stream(**body) as stream:
                        stream.until_done()
                else:
                    client.messages.create(**body)
            except Exception as err:  # report and go on: one failure must not stop the others
                results.append((path.stem, f"failed: {type(err).__name__}: {err}"))
                continue
            results.append((path.stem, "re-recorded live"))
    return results
