"""Synthetic Anthropic message streams, built in memory and saved as recordings to replay."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from helpers.replay import recording_file
from helpers.replay.recording_file import Chunk, Exchange, RecordedRequest, RecordedResponse, Recording
from helpers.replay.sse import frame

REQUEST: dict[str, Any] = {
    "model": "claude-sonnet-4-6",
    "max_tokens": 8192,
    "messages": [{"role": "user", "content": "Write at length."}],
}
HEADERS = {"content-type": "text/event-stream; charset=utf-8", "request-id": "req_011CBenchmark", "cache-control": "no-cache"}
HEADERS_AT = 0.3
# message_start, content_block_start, ping before the deltas; block stop, message_delta, message_stop after.
FRAMING_EVENTS = 6


def _event(payload: dict[str, Any]) -> bytes:
    return frame(payload["type"], json.dumps(payload, ensure_ascii=False, separators=(",", ":")))


def text_message(pieces: list[str]) -> list[bytes]:
    """One framed SSE event per item: a whole text message, in the API's order, whose text is ``"".join(pieces)``."""
    usage = {"input_tokens": 12, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 1}
    message = {
        "id": "msg_01Benchmark",
        "type": "message",
        "role": "assistant",
        "model": REQUEST["model"],
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage,
    }
    deltas = [{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}} for p in pieces]
    return [
        _event({"type": "message_start", "message": message}),
        _event({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        frame("ping", json.dumps({"type": "ping"})),
        *(_event(d) for d in deltas),
        _event({"type": "content_block_stop", "index": 0}),
        _event(
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {**usage, "output_tokens": len(pieces)},
            }
        ),
        _event({"type": "message_stop"}),
    ]


def paced(events: list[bytes], gaps: Iterable[float], *, first_at: float) -> list[Chunk]:
    """One chunk per event: the first at ``first_at`` s, each next one a gap later (offsets kept to 0.1 ms, as saved)."""
    chunks = []
    at = first_at
    for data, gap in zip(events, [0.0, *gaps], strict=True):
        at += gap
        chunks.append(Chunk(round(at, 4), data))
    return chunks


def save(chunks: list[Chunk], folder: Path, name: str) -> Path:
    """Save ``chunks`` as the answer to ``REQUEST``, in the course's recording format."""
    body = {**REQUEST, "stream": True}
    response = RecordedResponse(200, dict(HEADERS), HEADERS_AT, chunks)
    recording = Recording(
        {"source": "synthesized", "note": "benchmark stream"}, [Exchange(RecordedRequest("POST", "/v1/messages", body), response)]
    )
    return recording_file.save(recording, folder / f"{name}.json")
