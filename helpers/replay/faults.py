"""Break any recording on purpose: drop the connection, end early, stall, or inject an error event.

A fault is a pure transformation of a recording's chunks (plus, for a dropped connection, the
transport error to raise where the bytes stop), so an instructor can break any demo, and a
lesson can show what the SDK does, from the same recording that normally succeeds.

Written as ``KIND@after=N[,unit=events|bytes][,seconds=S][,error=TYPE]``, e.g. ``drop@after=12``,
``eof@after=2000,unit=bytes``, ``stall@after=5,seconds=3``, ``error@after=20``; from the
argument ``fault=`` of ``make_client`` or the environment variable ``COURSE_FAULT``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from helpers.errors import ConfigError
from helpers.replay import sse
from helpers.replay.recording_file import Chunk

Kind = Literal["drop", "eof", "stall", "error"]
KINDS: tuple[Kind, ...] = ("drop", "eof", "stall", "error")
ERROR_MESSAGES = {
    "overloaded_error": "Overloaded",
    "api_error": "Internal server error",
    "rate_limit_error": "Rate limited",
}


@dataclass(frozen=True)
class Fault:
    """Where a recording breaks and how.

    ``drop``: the connection is cut (the SDK sees a raw ``httpx2.RemoteProtocolError``).
    ``eof``: the body just ends, as a clean close would (no exception at all).
    ``stall``: the rest arrives ``seconds`` late.
    ``error``: an ``event: error`` (``error_type``) arrives, and the server closes the stream.
    """

    kind: Kind
    after: int
    unit: Literal["events", "bytes"] = "events"
    seconds: float = 3.0
    error_type: str = "overloaded_error"

    def describe(self) -> str:
        where = f"after {self.after} {self.unit}"
        return {
            "drop": f"connection dropped {where}",
            "eof": f"stream ends cleanly {where}",
            "stall": f"stream stalls {self.seconds:g} s {where}",
            "error": f"an {self.error_type} event {where}",
        }[self.kind]


LONGEST_STALL_S = 600.0  # a stall longer than the SDK's own timeout teaches nothing more


def parse_fault(text: str) -> Fault:
    """A Fault from its written form; a clear ConfigError says what is wrong otherwise."""
    usage = "Write a fault as KIND@after=N[,unit=events|bytes][,seconds=S][,error=TYPE], e.g. drop@after=12."
    kind, _, rest = text.strip().partition("@")
    if kind not in KINDS:
        raise ConfigError(f"Unknown fault kind {kind!r}: use one of {', '.join(KINDS)}. {usage}")
    options: dict[str, str] = {}
    for part in filter(None, rest.split(",")):
        key, sep, value = part.partition("=")
        if not sep:
            raise ConfigError(f"Fault option {part!r} has no '='. {usage}")
        options[key.strip()] = value.strip()
    unknown = set(options) - {"after", "unit", "seconds", "error"}
    if unknown or "after" not in options:
        raise ConfigError(f"Fault {text!r}: {'unknown option ' + repr(sorted(unknown)[0]) if unknown else 'after=N is required'}. {usage}")
    try:
        after, seconds = int(options["after"]), float(options.get("seconds", 3.0))
    except ValueError:
        raise ConfigError(f"Fault {text!r}: after must be a whole number and seconds a number. {usage}") from None
    unit = options.get("unit", "events")
    if unit not in ("events", "bytes") or after < 0 or not 0 <= seconds <= LONGEST_STALL_S:
        raise ConfigError(f"Fault {text!r}: unit must be events or bytes, after >= 0, seconds from 0 to {LONGEST_STALL_S:g}. {usage}")
    return Fault(kind, after, unit, seconds, options.get("error", "overloaded_error"))  # type: ignore[arg-type]


def cut_point(body: bytes, fault: Fault) -> int:
    """The byte offset where the fault strikes: after N whole events, or after N bytes."""
    if fault.unit == "bytes":
        return min(fault.after, len(body))
    events = sse.parse(body).events
    return events[fault.after - 1].end if 0 < fault.after <= len(events) else (0 if fault.after == 0 else len(body))


def split_at(chunks: list[Chunk], offset: int) -> tuple[list[Chunk], list[Chunk]]:
    """Chunks before and after a byte offset; a chunk that straddles it is split in two."""
    before: list[Chunk] = []
    after: list[Chunk] = []
    position = 0
    for chunk in chunks:
        end = position + len(chunk.data)
        if end <= offset:
            before.append(chunk)
        elif position >= offset:
            after.append(chunk)
        else:
            before.append(Chunk(chunk.at, chunk.data[: offset - position]))
            after.append(Chunk(chunk.at, chunk.data[offset - position :]))
        position = end
    return before, after


def error_event(error_type: str) -> bytes:
    """An ``error`` event as the API sends it mid-stream (HTTP status stays 200)."""
    payload = {"type": "error", "error": {"details": None, "type": error_type, "message": ERROR_MESSAGES.get(error_type, error_type)}}
    return sse.frame("error", json.dumps(payload, separators=(",", ":")))


def apply(chunks: list[Chunk], fault: Fault) -> tuple[list[Chunk], bool]:
    """The chunks to serve under ``fault``, and whether the connection drops after them."""
    body = b"".join(chunk.data for chunk in chunks)
    before, after = split_at(chunks, cut_point(body, fault))
    last = before[-1].at if before else 0.0
    if fault.kind == "drop":
        return before, True
    if fault.kind == "eof":
        return before, False
    if fault.kind == "stall":
        return before + [Chunk(c.at + fault.seconds, c.data) for c in after], False
    return [*before, Chunk(round(last + 0.05, 4), error_event(fault.error_type))], False
