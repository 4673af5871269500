"""The recorded-stream file format: one JSON file per request, its attempts and their bytes.

The format is described for people in ``fixtures/README.md``. Bodies are kept as the byte
chunks that arrived, each with its arrival offset, so a replay serves exactly what was stored,
split where it was split.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.errors import RecordingError

FORMAT = "course-stream-recording/1"
SOURCES = ("recorded", "synthesized", "imported")
LONGEST_S = 3600.0  # an hour: far longer than any answer, and short of a replay that waits a day


@dataclass(frozen=True)
class Chunk:
    """Bytes that arrived together, ``at`` seconds after the request was sent."""

    at: float
    data: bytes


@dataclass
class RecordedRequest:
    """What was asked: method, path and JSON body (never headers, so never a key)."""

    method: str
    path: str
    body: dict[str, Any]

    @property
    def is_stream(self) -> bool:
        return bool(self.body.get("stream", False))


@dataclass
class RecordedResponse:
    """What came back: status, the headers the SDK uses, and the body as timed chunks."""

    status: int
    headers: dict[str, str]
    headers_at: float
    chunks: list[Chunk]

    @property
    def body(self) -> bytes:
        return b"".join(chunk.data for chunk in self.chunks)

    @property
    def duration(self) -> float:
        """Seconds from sending the request to the last byte."""
        return self.chunks[-1].at if self.chunks else self.headers_at


@dataclass
class Exchange:
    """One attempt: a request and the response it got."""

    request: RecordedRequest
    response: RecordedResponse


@dataclass
class Recording:
    """A recorded request: its attempts in order (the last is the one that counts) and provenance."""

    provenance: dict[str, Any]
    exchanges: list[Exchange]
    path: Path | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        return self.path.stem if self.path else "<unsaved>"

    @property
    def request(self) -> RecordedRequest:
        return self.exchanges[0].request

    @property
    def by_name_only(self) -> bool:
        """An imported capture whose request is unknown: served only with ``recording=``."""
        return bool(self.provenance.get("by_name_only", False))

    @property
    def source(self) -> str:
        return str(self.provenance.get("source", "?"))

    def exchange_for_attempt(self, attempt: int) -> Exchange:
        """The response to serve to the SDK's ``attempt``-th try (0 first); later tries get the last."""
        return self.exchanges[min(max(attempt, 0), len(self.exchanges) - 1)]


def _encode_chunk(chunk: Chunk) -> list[Any]:
    try:
        return [round(chunk.at, 4), chunk.data.decode("utf-8")]
    except UnicodeDecodeError:
        # A network packet may end inside a multibyte character; keep such a chunk exact.
        return [round(chunk.at, 4), {"base64": base64.b64encode(chunk.data).decode("ascii")}]


def _seconds(value: Any, where: str) -> float:
    """A recorded moment: a number of seconds from 0 to ``LONGEST_S``, so replay never waits for ever."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= LONGEST_S:
        raise RecordingError(f"{where} must be a number of seconds from 0 to {LONGEST_S:g}, got {value!r}.")
    return float(value)


def _status(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= 599:
        raise RecordingError(f"{where}: status must be an HTTP status code, a whole number from 100 to 599, got {value!r}.")
    return value


def _headers(value: Any, where: str) -> dict[str, str]:
    """Header names and values as text: a null or a number would reach the SDK as the string "None"."""
    if not isinstance(value, dict):
        raise RecordingError(f"{where}: headers must be an object of names and values, got {str(value)[:80]!r}.")
    for name, text in value.items():
        if not isinstance(text, str):
            raise RecordingError(f"{where}: header {name!r} must be text, got {text!r}.")
    return {str(k).lower(): v for k, v in value.items()}


def _body(value: Any, where: str) -> dict[str, Any]:
    """A request body; ``stream``, if given, must be true or false, as the SDK sends it (``"no"`` is truthy)."""
    if not isinstance(value, dict):
        raise RecordingError(f"{where}: the request body must be a JSON object, got {str(value)[:80]!r}.")
    if "stream" in value and not isinstance(value["stream"], bool):
        raise RecordingError(f"{where}: the request's stream must be true or false, got {value['stream']!r}.")
    return value


def _decode_chunk(raw: Any, where: str) -> Chunk:
    if not (isinstance(raw, list) and len(raw) == 2):
        raise RecordingError(f"{where}: each chunk must be [seconds, text], got {str(raw)[:80]!r}.")
    at, data = _seconds(raw[0], f"{where}: a chunk's time"), raw[1]
    if isinstance(data, str):
        return Chunk(at, data.encode("utf-8"))
    if isinstance(data, dict) and isinstance(data.get("base64"), str):
        return Chunk(at, base64.b64decode(data["base64"]))
    raise RecordingError(f'{where}: chunk data must be text or {{"base64": ...}}, got {str(data)[:80]!r}.')


def to_dict(recording: Recording) -> dict[str, Any]:
    """The JSON form of a recording, chunks as ``[seconds, text]`` pairs."""
    return {
        "format": FORMAT,
        "provenance": recording.provenance,
        "exchanges": [
            {
                "request": {
                    "method": ex.request.method,
                    "path": ex.request.path,
                    "body": ex.request.body,
                },
                "response": {
                    "status": ex.response.status,
                    "headers": ex.response.headers,
                    "headers_at": round(ex.response.headers_at, 4),
                    "chunks": [_encode_chunk(c) for c in ex.response.chunks],
                },
            }
            for ex in recording.exchanges
        ],
    }


def dumps(recording: Recording) -> str:
    """Indented JSON with one chunk per line, so a diff of two recordings reads chunk by chunk."""
    data = to_dict(recording)
    chunk_lists = [ex["response"].pop("chunks") for ex in data["exchanges"]]
    for i, ex in enumerate(data["exchanges"]):
        ex["response"]["chunks"] = f"@@CHUNKS{i}@@"
    text = json.dumps(data, indent=2, ensure_ascii=False)
    for i, chunks in enumerate(chunk_lists):
        lines = ",\n".join("          " + json.dumps(c, ensure_ascii=False) for c in chunks)
        text = text.replace(f'"@@CHUNKS{i}@@"', "[\n" + lines + "\n        ]" if chunks else "[]")
    return text + "\n"


def from_dict(data: Any, where: str) -> Recording:
    """A recording from its JSON form; ``where`` names the source in every error message."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RecordingError(f'{where}: not a recording (expected "format": "{FORMAT}").')
    provenance = data.get("provenance")
    if not isinstance(provenance, dict) or provenance.get("source") not in SOURCES:
        raise RecordingError(f"{where}: provenance.source must be one of {', '.join(SOURCES)}.")
    exchanges = data.get("exchanges")
    if not isinstance(exchanges, list) or not exchanges:
        raise RecordingError(f'{where}: "exchanges" must be a non-empty list.')
    parsed = []
    for n, ex in enumerate(exchanges):
        here = f"{where}: exchanges[{n}]"
        try:
            req, resp = ex["request"], ex["response"]
            request = RecordedRequest(str(req["method"]), str(req["path"]), _body(req["body"], here))
            response = RecordedResponse(
                status=_status(resp["status"], here),
                headers=_headers(resp["headers"], here),
                headers_at=_seconds(resp["headers_at"], f"{here}: headers_at"),
                chunks=[_decode_chunk(c, here) for c in resp["chunks"]],
            )
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise RecordingError(f"{here}: missing or malformed field ({err}).") from None
        parsed.append(Exchange(request, response))
    return Recording(provenance=provenance, exchanges=parsed)


def read_text(path: str | os.PathLike[str]) -> str:
    """A recording file's text, or RecordingError saying why it cannot be read."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RecordingError(f"{path}: no such recording.") from None
    except OSError as err:  # a folder named *.json, a link that loops, no permission
        raise RecordingError(f"{path}: cannot be read ({err.strerror or err}).") from None
    except ValueError as err:  # not UTF-8
        raise RecordingError(f"{path}: not valid JSON ({err}).") from None


def loads(text: str, path: str | os.PathLike[str]) -> Recording:
    """A recording from the text of the file at ``path``, or RecordingError naming the file and what is wrong."""
    path = Path(path)
    try:
        data = json.loads(text)
    except ValueError as err:  # not JSON, or a number too long to read
        raise RecordingError(f"{path}: not valid JSON ({err}).") from None
    except RecursionError:
        raise RecordingError(f"{path}: JSON nested too deeply to be a recording.") from None
    recording = from_dict(data, str(path))
    recording.path = path
    return recording


def load(path: str | os.PathLike[str]) -> Recording:
    """Read a recording, or raise RecordingError naming the file and what is wrong with it."""
    return loads(read_text(path), path)


def save(recording: Recording, path: str | os.PathLike[str]) -> Path:
    """Write atomically: a crash or an error mid-write never leaves a half-written recording."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = dumps(recording)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    recording.path = path
    return path
