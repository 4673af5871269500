"""Server-Sent Events framing: split a body into events and write events, as the API frames them.

The splitting follows the rules the SDK's decoder applies (WHATWG: ``event:``/``data:`` fields,
``:`` comments, one optional space after the colon, a blank line dispatches, LF or CRLF), so
what this module sees is what the SDK will see.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_BLANK_LINE = re.compile(rb"\r\n\r\n|\r\r|\n\n")


@dataclass(frozen=True)
class SseEvent:
    """One dispatched event; ``end`` is the byte offset just after its blank line."""

    event: str | None
    data: str
    end: int

    def json(self) -> Any:
        return json.loads(self.data)


@dataclass(frozen=True)
class SseBody:
    """A body split into events, and the bytes after the last blank line (which the SDK drops)."""

    events: list[SseEvent]
    trailing: bytes

    @property
    def undispatched(self) -> bool:
        """True when bytes after the last blank line hold a field: the SDK silently drops that event."""
        return any(line.strip() and not line.startswith(b":") for line in self.trailing.splitlines())


def _event_from_block(block: bytes, end: int) -> SseEvent | None:
    name: str | None = None
    data: list[str] = []
    # Lines end at \n, \r or \r\n only: bytes.splitlines, as the SDK's decoder splits. A str would also
    # split at U+2028 or U+0085, which JSON may carry unescaped inside a data line.
    for line in (raw.decode("utf-8", errors="replace") for raw in block.splitlines()):
        if not line or line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
    if name is None and not data:
        return None
    return SseEvent(name, "\n".join(data), end)


def parse(body: bytes) -> SseBody:
    """Every dispatched event in ``body``, plus whatever follows the last blank line."""
    events: list[SseEvent] = []
    position = 0
    for separator in _BLANK_LINE.finditer(body):
        event = _event_from_block(body[position : separator.start()], separator.end())
        if event is not None:
            events.append(event)
        position = separator.end()
    return SseBody(events, body[position:])


def timed_events(chunks: Sequence[tuple[float, bytes]]) -> list[tuple[float, SseEvent]]:
    """Each event of a body that arrived in ``(seconds, bytes)`` pieces, with the time its last byte came.

    An event may span pieces, and one piece may hold several events.
    """
    ends, total = [], 0
    for at, data in chunks:
        total += len(data)
        ends.append((total, at))
    timed, n = [], 0
    for event in parse(b"".join(data for _, data in chunks)).events:
        while ends[n][0] < event.end:
            n += 1
        timed.append((ends[n][1], event))
    return timed


def frame(name: str, data: str) -> bytes:
    """One event as the API sends it: an ``event:`` line, a ``data:`` line, a blank line."""
    return f"event: {name}\ndata: {data}\n\n".encode()
