"""A recorded stream as a row of moments: what was on the wire, what the SDK held, what a reader saw.

Each frame is one server-sent event. The SDK's view of it comes from the SDK itself: the recording
is served by a replay client and read with ``client.messages.stream(...)``, and after every raw
event the frame keeps ``stream.current_message_snapshot``. So the inspector shows exactly what the
SDK would hold at that moment, not a re-implementation of it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anthropic

from helpers import config
from helpers.client import make_client
from helpers.errors import RecordingError
from helpers.replay import sse
from helpers.replay.library import RecordingLibrary
from helpers.replay.recording_file import Recording

RAW_EVENTS = frozenset(
    {"message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"}
)


@dataclass(frozen=True)
class Frame:
    """One event: when it arrived, its bytes on the wire, the SDK's snapshot after it, and the text so far."""

    at: float
    event: str
    wire: str
    snapshot: dict[str, Any] | None
    text: str

    @property
    def snapshot_json(self) -> str:
        """The snapshot as indented JSON, or a note before ``message_start``."""
        if self.snapshot is None:
            return "(no message yet: the SDK builds its snapshot from message_start)"
        return json.dumps(self.snapshot, indent=2, ensure_ascii=False)


def load(name_or_path: str | Path) -> Recording:
    """A recording by name (in the course's recordings) or by path, as ``make_client(recording=...)`` finds it."""
    library = RecordingLibrary.single(name_or_path, config.fixtures_dir())
    assert library.pinned is not None
    return library.pinned


def _snapshots(path: Path) -> list[dict[str, Any]]:
    """The SDK's snapshot after each raw event, reading the recording through a replay client."""
    snapshots: list[dict[str, Any]] = []
    client = make_client("replay", speed=0, recording=path, fault="", max_retries=0)
    started = False
    try:
        # The pinned recording answers any request: this one only has to be valid for the SDK.
        with client.messages.stream(model=config.course_model(), max_tokens=1, messages=[]) as stream:
            for event in stream:
                started = started or event.type == "message_start"
                if started and event.type in RAW_EVENTS:
                    snapshots.append(stream.current_message_snapshot.model_dump(mode="json", exclude_none=True))
    except anthropic.APIStatusError:
        pass  # an error event ends the stream: the frames up to it are the story
    return snapshots


def _text(snapshot: dict[str, Any] | None) -> str:
    blocks = (snapshot or {}).get("content", [])
    return "".join(block.get("text", "") for block in blocks if block.get("type") == "text")


def frames(recording: Recording) -> list[Frame]:
    """Every event of the recording's final answer, as a frame; raises RecordingError for an answer that is not a stream."""
    if not recording.request.is_stream or recording.path is None:
        raise RecordingError(f"{recording.name}: not a streamed answer saved in a file, so there are no events to step through.")
    response = recording.exchanges[-1].response
    timed = sse.timed_events([(chunk.at, chunk.data) for chunk in response.chunks])
    snapshots = iter(_snapshots(recording.path))
    out: list[Frame] = []
    current: dict[str, Any] | None = None
    started = False
    for at, event in timed:
        started = started or event.event == "message_start"  # the SDK passes earlier events through untouched
        if started and event.event in RAW_EVENTS:
            current = next(snapshots, current)
        out.append(Frame(at, event.event or "(no event line)", f"event: {event.event}\ndata: {event.data}", current, _text(current)))
    return out


def frames_of(name_or_path: str | Path) -> list[Frame]:
    """The frames of a recording given by name or path."""
    return frames(load(name_or_path))


def recording_for(request: dict[str, Any]) -> Recording:
    """The recording that answers a lesson's request as a stream, so a cell can inspect what it just received.

    Live, the answer just received is not the recording: the inspector then shows the recorded one.
    """
    library = RecordingLibrary.from_dir(config.fixtures_dir())
    return library.find("POST", "/v1/messages", {**request, "stream": True})


def _block_summary(block: dict[str, Any]) -> str:
    """One block of a snapshot in a few words: what a student looks for in the tree."""
    kind = block.get("type")
    if kind == "text":
        text = block.get("text", "")
        return f"text {text if len(text) <= 40 else text[:37] + '...'!r}"
    if kind == "tool_use":
        return f"tool_use {block.get('name')} input={json.dumps(block.get('input'), ensure_ascii=False)}"
    if kind == "thinking":
        return f"thinking ({len(block.get('thinking', ''))} characters, signature {'set' if block.get('signature') else 'empty'})"
    return str(kind)


def describe(frames: list[Frame], number: int) -> str:
    """Event ``number`` (counted from 1, as the slider counts) in plain text: what a printed cell can show."""
    frame = frames[number - 1]
    if frame.snapshot is None:
        snapshot = "none yet"
    else:
        blocks = [f"[{i}] {_block_summary(block)}" for i, block in enumerate(frame.snapshot.get("content", []))]
        usage = frame.snapshot.get("usage", {})
        ending = f"stop_reason={frame.snapshot.get('stop_reason')}, output_tokens={usage.get('output_tokens')}"
        if frame.snapshot.get("stop_details"):
            ending += f", stop_details={json.dumps(frame.snapshot['stop_details'], ensure_ascii=False)}"
        snapshot = "\n                ".join([*blocks, ending])
    wire = frame.wire.splitlines()[-1]
    return "\n".join(
        [
            f"Event {number} of {len(frames)} · {frame.at:.3f} s · {frame.event}",
            f"  on the wire:  {wire if len(wire) <= 110 else wire[:107] + '...'}",
            f"  snapshot:     {snapshot}",
            f"  reader sees:  {frame.text!r}",
        ]
    )
