"""What an instructor changes while a replayed stream plays: its speed, a pause, a break on cue.

One ``CONTROLS`` for the whole process, so a panel above the lesson steers every replay client
the lesson makes. Left alone it changes nothing. ``Pacer`` is the pure part: given the time, it
says whether to wait or which chunk is due, re-planning the rest of the stream from the present
moment whenever the controls change, so a slower speed or a pause never makes chunks burst.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from helpers.errors import ConfigError
from helpers.replay import faults
from helpers.replay.pacing import delay, due_at
from helpers.replay.recording_file import Chunk

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)
BREAKS = {"drop": "drop the connection", "error": "send an overloaded error event", "stall": "stall for 8 seconds"}
STALL_S = 8.0  # longer than a lesson's stall timeout, short enough to wait through
POLL_S = 0.05  # how soon a change of speed, a pause or a break reaches a stream that is waiting
LONGEST_PAUSE_S = 600.0  # a forgotten pause ends by itself, like any other wait in the course
ON_TIME_S = 1e-6  # a wait shorter than this is rounding, not a wait


@dataclass
class DemoControls:
    """The instructor's settings, read by every replayed stream; changes bump ``version``."""

    speed: float = 1.0  # on top of the client's own replay speed
    paused: bool = False
    armed: str | None = None  # a break waiting for the next event: a key of BREAKS
    version: int = 0
    from_recordings: list[str] = field(default_factory=list)  # live calls answered from a recording, newest last
    listeners: list[Callable[[], None]] = field(default_factory=list, repr=False)  # told after every change (the panel)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _changed(self) -> None:
        for listener in list(self.listeners):
            listener()

    def set_speed(self, speed: float) -> None:
        """Play replayed streams ``speed`` times as fast as the client would (one of ``SPEEDS``)."""
        if speed not in SPEEDS:
            raise ConfigError(f"Demo speed {speed!r} is not offered; use one of {', '.join(f'{s:g}' for s in SPEEDS)}.")
        with self._lock:
            self.speed, self.version = speed, self.version + 1
        self._changed()

    def pause(self, paused: bool = True) -> None:
        """Hold every replayed stream where it is (``False``: go on)."""
        with self._lock:
            self.paused, self.version = paused, self.version + 1
        self._changed()

    def arm(self, kind: str | None) -> None:
        """Break the next event of whatever stream reads next (``None``: disarm)."""
        if kind is not None and kind not in BREAKS:
            raise ConfigError(f"Unknown break {kind!r}; use one of {', '.join(BREAKS)}.")
        with self._lock:
            self.armed = kind
        self._changed()

    def take_break(self) -> str | None:
        """The armed break, now used up (one stream gets it)."""
        if self.armed is None:  # the usual case, asked at every chunk: no lock needed to see nothing is armed
            return None
        with self._lock:
            kind, self.armed = self.armed, None
        if kind is not None:
            self._changed()
        return kind

    def note_from_recording(self, where: str) -> None:
        """A live call was answered from a recording: the panel shows it."""
        with self._lock:
            self.from_recordings.append(where)
        self._changed()

    def reset(self) -> None:
        """Back to changing nothing."""
        with self._lock:
            self.speed, self.paused, self.armed, self.version = 1.0, False, None, self.version + 1
            self.from_recordings.clear()
            self.listeners.clear()


CONTROLS = DemoControls()


def broken(chunks: list[Chunk], kind: str) -> tuple[list[Chunk], bool]:
    """The rest of a stream after an instructor's break of ``kind``, and whether the connection drops."""
    return faults.apply(chunks, faults.Fault(kind, after=0, seconds=STALL_S))  # type: ignore[arg-type]


class Pacer:
    """Which chunk is next and when, under the controls: ``step(now)`` is a wait in seconds, a chunk, or None at the end."""

    def __init__(self, chunks: list[Chunk], start: float, speed: float, controls: DemoControls | None) -> None:
        self.chunks = list(chunks)
        self.controls = controls
        self.base_speed = speed
        self.speed = speed * (controls.speed if controls else 1.0)
        self.anchor = start  # the moment recorded offset 0 is (or would have been) due
        self.version = controls.version if controls else 0
        self.next_index = 0
        self.last_offset = 0.0
        self.dropped = ""  # why the connection drops after the last chunk, if it does
        self.paused_at: float | None = None

    def _replan(self, now: float) -> None:
        """From now on, the rest of the stream at the current speed, continuing from the last chunk's offset."""
        assert self.controls is not None
        self.speed = self.base_speed * self.controls.speed
        self.anchor = now - (self.last_offset / self.speed if self.speed else 0.0)
        self.version = self.controls.version

    def _steer(self, now: float) -> float | None:
        """Apply the controls; a wait while paused, else None."""
        assert self.controls is not None
        if self.controls.paused:
            self.paused_at = now if self.paused_at is None else self.paused_at
            if now - self.paused_at < LONGEST_PAUSE_S:
                return POLL_S
            self.controls.pause(False)  # forgotten: every stream goes on
        self.paused_at = None
        if self.controls.version != self.version:
            self._replan(now)
        kind = self.controls.take_break() if self.next_index < len(self.chunks) else None
        if kind is not None:
            rest, drops = broken(self.chunks[self.next_index :], kind)
            self.chunks[self.next_index :] = [Chunk(max(c.at, self.last_offset), c.data) for c in rest]
            self.dropped = f"the instructor's break: {BREAKS[kind]}" if drops else ""
        return None

    def step(self, now: float) -> float | Chunk | None:
        """Seconds to wait before asking again, the chunk due now, or None when the stream is over."""
        if self.controls is not None and (wait := self._steer(now)) is not None:
            return wait
        if self.next_index >= len(self.chunks):
            return None
        chunk = self.chunks[self.next_index]
        wait = delay(due_at(self.anchor, chunk.at, self.speed), now)
        if wait > ON_TIME_S:
            return min(wait, POLL_S) if self.controls is not None else wait
        self.next_index += 1
        self.last_offset = chunk.at
        return chunk
