"""The shape of a recorded answer, not its words: what kinds of events, blocks and fields it has.

Two answers to one prompt never share their words, but they share a shape as long as the API
does not change. A shape is a set of short descriptions (``event message_start``,
``delta text_delta``, ``field message_delta.usage.output_tokens``); comparing sets says what the
live API sends that no recording has. Pure functions over recordings: no network here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from helpers.replay import sse
from helpers.replay.event_order import validate_body
from helpers.replay.recording_file import RecordedResponse, Recording

FREE_FORM = frozenset({"input", "parsed_output", "metadata"})  # keys chosen by whoever wrote the tool or schema
TYPE_KINDS = ("event", "block", "delta")  # a new one of these means the API streams something new


@dataclass
class Shape:
    """What kinds of things an answer (or many answers, merged) contains."""

    kinds: set[str] = field(default_factory=set)  # "event message_start", "block text", "delta text_delta", "field …"
    stop_reasons: set[str] = field(default_factory=set)
    order_problems: list[str] = field(default_factory=list)

    def merge(self, other: Shape) -> None:
        """Add another answer's kinds and stop reasons (order problems stay per answer)."""
        self.kinds |= other.kinds
        self.stop_reasons |= other.stop_reasons


def _fields(value: Any, path: str) -> set[str]:
    """Every key path in a JSON value (``[]`` for list items), not descending into free-form objects."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}"
            found.add(here)
            if key not in FREE_FORM:
                found |= _fields(item, here)
    elif isinstance(value, list):
        for item in value:
            found |= _fields(item, f"{path}[]")
    return found


def _event_kinds(data: Any) -> set[str]:
    kinds = {f"field {name}" for name in _fields(data, str(data.get("type")))}
    block = data.get("content_block")
    if isinstance(block, dict):
        kinds.add(f"block {block.get('type')}")
    delta = data.get("delta")
    if data.get("type") == "content_block_delta" and isinstance(delta, dict):
        kinds.add(f"delta {delta.get('type')}")
    return kinds


def shape_of_stream(body: bytes) -> Shape:
    """The shape of a streamed answer: each event's type, block and delta types, and field paths."""
    shape = Shape(order_problems=validate_body(body).problems)
    for event in sse.parse(body).events:
        shape.kinds.add(f"event {event.event}")
        try:
            data = event.json()
        except ValueError:
            continue  # reported among the order problems
        if not isinstance(data, dict):
            continue
        shape.kinds |= _event_kinds(data)
        stop = data.get("delta", {}).get("stop_reason") if data.get("type") == "message_delta" else None
        if stop:
            shape.stop_reasons.add(str(stop))
    return shape


def shape_of_message(body: bytes) -> Shape:
    """The shape of an answer that was not streamed: its blocks and field paths."""
    try:
        message = json.loads(body)
    except ValueError:
        return Shape(order_problems=["the body is not JSON"])
    if not isinstance(message, dict):
        return Shape(order_problems=["the body is not a JSON object"])
    kinds = {f"field {name}" for name in _fields(message, "message")}
    kinds |= {f"block {block.get('type')}" for block in message.get("content") or [] if isinstance(block, dict)}
    stops = {str(message["stop_reason"])} if message.get("stop_reason") else set()
    return Shape(kinds, stops)


def shape_of(recording: Recording) -> Shape:
    """The shape of the answer a recording ends with."""
    body = recording.exchanges[-1].response.body
    return shape_of_stream(body) if recording.request.is_stream else shape_of_message(body)


def new_kinds(known: Shape, live: Shape) -> list[str]:
    """What the live answer has that no known answer has: sorted, types before fields.

    The fields of a new event type are not listed one by one: the new type says it all.
    """
    new = live.kinds - known.kinds
    new_events = {kind.removeprefix("event ") for kind in new if kind.startswith("event ")}
    kept = {kind for kind in new if not (kind.startswith("field ") and kind[6:].split(".")[0] in new_events)}
    return sorted(kept, key=lambda kind: (kind.startswith("field"), kind))


@dataclass(frozen=True)
class Envelope:
    """How fast an answer came: seconds to its first content delta, and output tokens a second after that."""

    first_token_s: float | None
    tokens_per_s: float | None


def envelope(response: RecordedResponse) -> Envelope:
    """Timing from the events' arrival and the final usage (None where a stream has no deltas)."""
    timed = sse.timed_events([(chunk.at, chunk.data) for chunk in response.chunks])
    deltas = [at for at, event in timed if event.event == "content_block_delta"]
    tokens = None
    for _, event in timed:
        if event.event == "message_delta":
            try:
                tokens = event.json().get("usage", {}).get("output_tokens")
            except (ValueError, AttributeError):
                tokens = None
    if not deltas:
        return Envelope(None, None)
    span = deltas[-1] - deltas[0]
    return Envelope(deltas[0], tokens / span if tokens and span > 0 else None)
