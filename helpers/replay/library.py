"""The set of recordings a replay answers from, indexed by request."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any

from helpers.errors import NoRecordingError, RecordingError
from helpers.replay import recording_file
from helpers.replay.event_order import sdk_breakers
from helpers.replay.matching import closest, explain_no_match, nearest_note, request_key
from helpers.replay.recording_file import Recording

CHECK = "python -m helpers check"


class RecordingLibrary:
    """Recordings keyed by their request; ``pinned`` answers every request with one recording.

    One bad file spoils only the requests it concerns: files that cannot be read are passed over
    (``passed_over`` names them), and two recordings of one request are an error for that
    request alone. A recording is checked once, when it is first served: a body the SDK could
    not parse is an error naming the file, not an ``IndexError`` from inside the SDK.
    """

    def __init__(
        self,
        recordings: list[Recording],
        searched: list[str],
        pinned: Recording | None = None,
        passed_over: list[str] | None = None,
    ) -> None:
        self.recordings = recordings
        self.searched = searched
        self.pinned = pinned
        self.passed_over = passed_over or []
        self._by_key: dict[str, list[Recording]] = {}
        for recording in recordings:
            req = recording.request
            self._by_key.setdefault(request_key(req.method, req.path, req.body), []).append(recording)
        self._servable: set[int] = set()  # ids of recordings already found fit to serve

    @classmethod
    def from_dir(cls, folder: Path) -> RecordingLibrary:
        """Every recording in ``folder`` that answers requests (not the name-only imports).

        Read again only when a file in the folder changed: a notebook or a check makes many
        clients, and they share one library of the same files.
        """
        paths = sorted(folder.glob("*.json"))
        version = tuple((str(p), stat.st_mtime_ns, stat.st_size) for p in paths for stat in [p.stat()])
        return _read_folder(str(folder), version)

    @classmethod
    def single(cls, name_or_path: str | Path, folder: Path) -> RecordingLibrary:
        """One recording served whatever the request (fault demos, imported captures)."""
        candidate = Path(name_or_path)
        if not candidate.suffix:
            candidate = folder / f"{candidate}.json"
        elif not candidate.exists() and (folder / candidate).exists():
            candidate = folder / candidate
        if not candidate.exists():
            names = ", ".join(sorted(path.stem for path in folder.glob("*.json")))
            raise RecordingError(f"No recording {str(name_or_path)!r}: give a file's path, or one of these names: {names}.")
        pinned = recording_file.load(candidate)
        return cls([pinned], [str(candidate)], pinned=pinned)

    def find(self, method: str, path: str, body: dict[str, Any]) -> Recording:
        """The recording that answers this request; NoRecordingError names the closest one, RecordingError a broken one."""
        if self.pinned is not None:
            return self._fit_to_serve(self.pinned)
        found = self._by_key.get(request_key(method, path, body))
        if found is None:
            message = explain_no_match(closest(self.recordings, method, path, body), self.searched)
            if self.passed_over:
                message += f"\nFiles passed over because they cannot be read ({CHECK} says why): {', '.join(self.passed_over)}"
            raise NoRecordingError(message)
        if len(found) > 1:
            raise RecordingError(
                f"{' and '.join(str(r.path) for r in found)} record the same request; delete all but one so replay knows which to serve."
            )
        return self._fit_to_serve(found[0])

    def nearest(self, method: str, path: str, body: dict[str, Any]) -> tuple[Recording, str]:
        """The recording closest to an unmatched request, and a line saying which and how it differs.

        Another endpoint is never stood in for: that raises NoRecordingError, as ``find`` does.
        """
        near = closest(self.recordings, method, path, body)
        if near is None or near.fields[0] == "path":
            raise NoRecordingError(explain_no_match(near, self.searched))
        return self._fit_to_serve(near.recording), nearest_note(near)

    def _fit_to_serve(self, recording: Recording) -> Recording:
        if id(recording) not in self._servable:
            problem = serving_problem(recording)
            if problem is not None:
                where = recording.path or recording.name
                raise RecordingError(
                    f"The recording {where} cannot be served: {problem}. The SDK would fail on it inside its own code. "
                    f"Run `{CHECK} {where}` to see every problem, then build or record it again."
                )
            self._servable.add(id(recording))
        return recording

    def sources(self) -> str:
        """What the recordings are, for the status line: e.g. ``synthesized`` or ``recorded, synthesized``.

        Kinds only, no counts: adding a recording must not change every notebook's first output.
        """
        return ", ".join(sorted({c.source for c in self.recordings})) or "none"


def serving_problem(recording: Recording) -> str | None:
    """Why the SDK could not parse what this recording serves, or None.

    Only what breaks the SDK counts (``event_order.sdk_breakers``): a stream cut short is a
    failure story, not a broken file. A recording that declares the SDK error it exists to
    cause (``expect_sdk_error``) is served as it is.
    """
    if "expect_sdk_error" in recording.provenance:
        return None
    for n, exchange in enumerate(recording.exchanges):
        response = exchange.response
        if response.status != 200:
            continue
        if exchange.request.is_stream:
            problems = sdk_breakers(response.body)
            if problems:
                return f"exchanges[{n}] {problems[0]}"
        elif not _is_message(response.body):
            return f"exchanges[{n}] is a 200 without a JSON message as its body"
    return None


def _is_message(body: bytes) -> bool:
    try:
        decoded = json.loads(body)
    except ValueError:
        return False
    return isinstance(decoded, dict) and decoded.get("type") == "message"


@functools.lru_cache(maxsize=8)
def _read_folder(folder: str, version: tuple[tuple[str, int, int], ...]) -> RecordingLibrary:
    """The library of one version of a folder (its files' names, modification times and sizes).

    Each file that cannot be read is named once, on stderr, and passed over.
    """
    loaded: list[Recording] = []
    passed_over: list[str] = []
    for path, _, _ in version:
        try:
            loaded.append(recording_file.load(path))
        except RecordingError as err:
            passed_over.append(Path(path).name)
            print(f"Replay passes over a file it cannot read: {err} (`{CHECK}` lists every problem).", file=sys.stderr)
    return RecordingLibrary([r for r in loaded if not r.by_name_only], [folder], passed_over=passed_over)
