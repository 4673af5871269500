"""The events the page receives, as bytes: pure functions, so the wire format is testable alone.

Every event is ``event: NAME`` and one ``data:`` line of compact JSON, then a blank line (JSON
escapes newlines, so the data never spans lines). ``: ping`` is a comment: the page ignores it,
and proxies see traffic while the model is silent.

``blocks``  ``{"from": k, "frozen": [html, ...], "tail": html}``: frozen blocks k, k+1, ... (drop
            any the page holds from k on, then append these), and the open tail, replaced whole
``done``    ``{"stop_reason": ..., "usage": {...}}``: the answer is complete
``error``   ``{"type": ..., "message": ...}``: the answer ends here, unfinished
"""

from __future__ import annotations

import json
from typing import Any

import anthropic
import httpx2

from helpers.errors import CourseError, NoRecordingError

PING = b": ping\n\n"
NO_RECORDING = (
    "Replay mode has answers only for the recorded prompts: choose one of the examples, word for word. "
    "To ask anything else, set ANTHROPIC_API_KEY and start the server again (live mode)."
)
CONNECTION_LOST = "The connection to the model was lost before the answer ended. Retry to ask again."
INTERNAL = "The server failed while relaying the answer; its log says why. Retry, or restart the server."


def event(name: str, data: dict[str, Any]) -> bytes:
    """One server-sent event whose data is a single line of JSON."""
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n".encode()


def blocks_event(start: int, frozen: list[str], tail: str) -> bytes:
    """Frozen blocks from index ``start`` on, and the open tail."""
    return event("blocks", {"from": start, "frozen": frozen, "tail": tail})


def done_event(stop_reason: str | None, usage: dict[str, Any]) -> bytes:
    """The end of a complete answer: why it stopped and what it cost in tokens."""
    return event("done", {"stop_reason": stop_reason, "usage": usage})


def error_event(error_type: str, message: str) -> bytes:
    """The end of an unfinished answer."""
    return event("error", {"type": error_type, "message": message})


def describe_error(err: Exception) -> tuple[str, str]:
    """The type and message a reader sees for a failure: the API's own words, never a traceback.

    Course errors are written for users already; anything unexpected gets a generic message
    (the server logs the details).
    """
    if isinstance(err, NoRecordingError):
        return "no_recording", NO_RECORDING
    if isinstance(err, anthropic.APIStatusError):  # an HTTP error status, or an error event mid-stream
        return err.type or f"http_{err.status_code}", err.api_message or err.message
    if isinstance(err, anthropic.APIConnectionError | httpx2.TransportError):
        return "connection_error", CONNECTION_LOST
    if isinstance(err, CourseError):
        return type(err).__name__, str(err)
    return "internal_error", INTERNAL
