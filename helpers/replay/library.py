"""The set of recordings a replay answers from, indexed by request."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from helpers.errors import NoRecordingError, RecordingError
from helpers.replay import recording_file
from helpers.replay.matching import closest, explain_no_match, request_key
from helpers.replay.recording_file import Recording


class RecordingLibrary:
    """Recordings keyed by their request; ``pinned`` answers every request with one recording."""

    def __init__(self, recordings: list[Recording], searched: list[str], pinned: Recording | None = None) -> None:
        self.recordings = recordings
        self.searched = searched
        self.pinned = pinned
        self._by_key: dict[str, Recording] = {}
        for recording in recordings:
            req = recording.request
            key = request_key(req.method, req.path, req.body)
            if key in self._by_key:
                raise RecordingError(
                    f"{recording.path} and {self._by_key[key].path} record the same request; "
                    "delete one of them so replay knows which to serve."
                )
            self._by_key[key] = recording

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
        """The recording that answers this request, or NoRecordingError naming the closest one."""
        if self.pinned is not None:
            return self.pinned
        found = self._by_key.get(request_key(method, path, body))
        if found is None:
            raise NoRecordingError(explain_no_match(closest(self.recordings, method, path, body), self.searched))
        return found

    def sources(self) -> str:
        """What the recordings are, for the status line: e.g. ``synthesized`` or ``recorded, synthesized``.

        Kinds only, no counts: adding a recording must not change every notebook's first output.
        """
        return ", ".join(sorted({c.source for c in self.recordings})) or "none"


@functools.lru_cache(maxsize=8)
def _read_folder(folder: str, version: tuple[tuple[str, int, int], ...]) -> RecordingLibrary:
    """The library of one version of a folder (its files' names, modification times and sizes)."""
    loaded = [recording_file.load(path) for path, _, _ in version]
    return RecordingLibrary([r for r in loaded if not r.by_name_only], [folder])
