"""``python -m helpers import-sse``: a raw SSE capture becomes a recording, byte for byte.

Accepts a body as saved by ``curl -N`` (with ``-i``, the status line and headers too) or an
SDK test file. The bytes are kept exactly, one chunk per event; a capture has no timing, so
arrival offsets are synthesized from the same model the generator uses, and the provenance
says so. Nothing is "fixed" silently: a capture whose last event has no blank line after it
is kept that way (the SDK will drop that event) unless you ask for the blank line.
"""

from __future__ import annotations

import codecs
import datetime
import hashlib
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.errors import RecordingError
from helpers.replay import sse
from helpers.replay.recording_file import Chunk, Exchange, RecordedRequest, RecordedResponse, Recording
from helpers.replay.scrub import find_secrets, scrub_headers
from helpers.tooling.synthesize import Timing, token_count

DEFAULT_HEADERS = {"content-type": "text/event-stream; charset=utf-8", "request-id": "req_imported_capture"}


@dataclass
class Imported:
    """An imported capture as a recording, with notes on what the import had to decide."""

    recording: Recording
    warnings: list[str]


def read_capture(path: Path) -> bytes:
    """The capture file's bytes, or a clear error when the path is not a readable file."""
    if path.is_dir():
        raise RecordingError(f"{path} is a folder; give the capture file itself (what `curl -N` saved).")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise RecordingError(f"{path}: no such capture file.") from None
    except OSError as err:
        raise RecordingError(f"{path} cannot be read: {err.strerror}.") from None


_UTF16 = {codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}


def as_utf8(raw: bytes) -> tuple[bytes, list[str]]:
    """The capture as UTF-8, as the API sent it: a byte order mark removed, UTF-16 (PowerShell's ``>``) converted."""
    for bom, encoding in _UTF16.items():
        if raw.startswith(bom):
            try:
                text = raw[len(bom) :].decode(encoding)
            except UnicodeDecodeError as err:
                raise RecordingError(f"The capture starts as UTF-16 but byte {err.start} is not: save it again as UTF-8.") from None
            return text.encode("utf-8"), [f"Converted the capture from {encoding.upper()} (as PowerShell saves it) to UTF-8."]
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :], ["Removed the byte order mark an editor put before the capture."]
    if b"\x00" in raw[:256]:
        raise RecordingError("The capture holds NUL bytes: it looks like UTF-16 without a byte order mark. Save it again as UTF-8.")
    return raw, []


_HEAD_END = re.compile(rb"\r?\n\r?\n")
_STATUS_LINE = re.compile(r"HTTP/[0-9.]+ +([1-5][0-9][0-9])\b")


def split_http(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of ``curl -i`` output; a bare body gets status 200 and SSE headers.

    Interim responses (``HTTP/1.1 100 Continue``, sent before a POST body) are skipped: the
    answer is the final response after them.
    """
    if not raw.startswith(b"HTTP/"):
        return 200, dict(DEFAULT_HEADERS), raw
    rest = raw
    while True:
        end = _HEAD_END.search(rest)
        if end is None:
            raise RecordingError("The capture starts with an HTTP status line but has no blank line before the body.")
        head, rest = rest[: end.start()], rest[end.end() :]
        lines = head.decode("latin-1").splitlines()
        status = _STATUS_LINE.match(lines[0])
        if status is None:
            raise RecordingError(f"{lines[0][:80]!r} is not an HTTP status line such as 'HTTP/1.1 200 OK'; fix or remove it.")
        if not status.group(1).startswith("1"):
            break
        if not rest.startswith(b"HTTP/"):
            raise RecordingError(f"The capture has an interim {lines[0]!r} but no final response after it.")
    headers = [(name.strip(), value.strip()) for name, _, value in (line.partition(":") for line in lines[1:] if ":" in line)]
    kept, _ = scrub_headers(headers)
    return int(status.group(1)), kept, rest


def _payload_tokens(data: Any) -> int:
    delta = data.get("delta", {}) if isinstance(data, dict) else {}
    text = delta.get("text") or delta.get("thinking") or delta.get("partial_json") or ""
    return token_count(text) if text else 0


def synthesized_offsets(body: bytes, timing: Timing, seed: int) -> list[tuple[int, float]]:
    """``(byte end, seconds)`` per event: first bytes after ``timing.ttft``, then a token-rate pace."""
    rng = random.Random(seed)
    now = timing.headers_after
    out = []
    for event in sse.parse(body).events:
        try:
            tokens = _payload_tokens(event.json())
        except ValueError:
            tokens = 0
        if event.event == "content_block_delta" and now < timing.ttft:
            now = timing.ttft
        now += max(0.002, tokens / timing.tokens_per_second * rng.lognormvariate(0, timing.jitter))
        out.append((event.end, round(now, 4)))
    return out


def chunk_by_event(body: bytes, offsets: list[tuple[int, float]]) -> list[Chunk]:
    """The body cut after each event; trailing bytes (an undispatched event) ride in a last chunk."""
    chunks, start, last = [], 0, 0.0
    for end, at in offsets:
        chunks.append(Chunk(at, body[start:end]))
        start, last = end, at
    if start < len(body):
        chunks.append(Chunk(round(last + 0.002, 4), body[start:]))
    return chunks


def import_capture(raw: bytes, capture_name: str, request: dict[str, Any] | None, add_final_blank_line: bool) -> Imported:
    """Turn capture bytes into a recording; warnings tell what the SDK will do with quirks."""
    raw, warnings = as_utf8(raw)
    secrets = find_secrets(raw.decode("utf-8", errors="replace"))
    if secrets:
        raise RecordingError(
            f"{capture_name} contains what looks like a credential ({secrets[0][:12]}…). Remove it from the capture first."
        )
    status, headers, body = split_http(raw)
    parsed = sse.parse(body)
    if parsed.undispatched:
        if add_final_blank_line:
            body = body.rstrip(b"\r\n") + b"\n\n"
            warnings.append("Appended the blank line after the last event, as you asked.")
        else:
            warnings.append(
                "The capture ends without a blank line after its last event, so the SDK will silently drop that "
                "event and `check` will report it. Kept byte for byte; pass --add-final-blank-line to append one."
            )
    events = sse.parse(body).events
    try:
        start = next(e.json() for e in events if e.event == "message_start")
        model = start["message"]["model"]
    except (StopIteration, ValueError, KeyError, TypeError):
        model = "unknown"
        warnings.append("The capture has no readable message_start; the SDK's stream helper will not produce a message.")
    seed = int(hashlib.sha256(body).hexdigest()[:8], 16)
    chunks = chunk_by_event(body, synthesized_offsets(body, Timing(), seed))
    if request is None:
        warnings.append("No --request given: the recording is served with make_client(recording=...) whatever the request.")
    provenance: dict[str, Any] = {
        "source": "imported",
        "capture": capture_name,
        "date": datetime.date.today().isoformat(),
        "model": model,
        "timing": "synthesized: the capture has no per-event timing",
    }
    if request is None:
        provenance["by_name_only"] = True
        request = {"model": model, "max_tokens": 1024, "messages": [], "stream": True}
    exchange = Exchange(RecordedRequest("POST", "/v1/messages", request), RecordedResponse(status, headers, Timing().headers_after, chunks))
    return Imported(Recording(provenance, [exchange]), warnings)


def read_request(path: Path) -> dict[str, Any]:
    """The JSON body given with --request, with a clear error when it is not one."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecordingError(f"--request {path}: no such file.") from None
    except ValueError as err:
        raise RecordingError(f"--request {path}: not valid JSON ({err}).") from None
    if not isinstance(body, dict) or "messages" not in body:
        raise RecordingError(f'--request {path}: expected a Messages request body (a JSON object with "messages").')
    body.setdefault("stream", True)
    return body
