"""When each event of a stream arrived and what it was: a compact log and timeline pictures.

Lesson code keeps iterating the SDK's own stream; ``EventLog.watch`` only notes each event as
it passes, with the time from the client's stopwatch (the recording's clock under replay, so
logs and pictures are the same at any replay speed).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any, TypeVar

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from helpers.replay.stopwatch import Stopwatch

E = TypeVar("E")


@dataclass(frozen=True)
class LoggedEvent:
    """One event: seconds since the request was sent, its type, block index and key detail."""

    at: float
    type: str
    index: int | None
    detail: str

    @property
    def kind(self) -> str:
        """The event type with its detail where that tells events apart (e.g. the delta type)."""
        return f"{self.type}:{self.detail}" if self.type == "content_block_delta" else self.type


def _detail(event: Any) -> str:
    """The one field that says most about an event: a block or delta type, a stop reason."""
    kind = getattr(event, "type", "?")
    if kind == "content_block_start":
        return str(event.content_block.type)
    if kind == "content_block_delta":
        return str(event.delta.type)
    if kind == "content_block_stop" and getattr(event, "content_block", None) is not None:
        return str(event.content_block.type)
    if kind == "message_start":
        return f"{event.message.model}, input_tokens={event.message.usage.input_tokens}"
    if kind == "message_delta":
        return f"stop_reason={event.delta.stop_reason}, output_tokens={event.usage.output_tokens}"
    return ""


def describe(event: Any, at: float) -> LoggedEvent:
    """A raw or SDK-level stream event, reduced to what a log line shows."""
    return LoggedEvent(at, str(getattr(event, "type", "?")), getattr(event, "index", None), _detail(event))


class EventLog:
    """Notes every event that passes through ``watch``/``awatch``, timed by ``stopwatch``."""

    def __init__(self, stopwatch: Stopwatch) -> None:
        self.stopwatch = stopwatch
        self.events: list[LoggedEvent] = []

    def watch(self, events: Iterable[E]) -> Iterator[E]:
        """Yield the events unchanged, logging each as it arrives."""
        for event in events:
            self.events.append(describe(event, self.stopwatch.elapsed()))
            yield event

    async def awatch(self, events: AsyncIterable[E]) -> AsyncIterator[E]:
        """The ``async for`` twin of ``watch``."""
        async for event in events:
            self.events.append(describe(event, self.stopwatch.elapsed()))
            yield event

    def _runs(self, collapse: bool) -> list[list[LoggedEvent]]:
        if not collapse:
            return [[event] for event in self.events]
        return [list(run) for _, run in groupby(self.events, key=lambda e: (e.type, e.index, e.detail))]

    def lines(self, collapse: bool = False) -> list[str]:
        """One line per event (``612 ms  content_block_delta  #0  text_delta``); with ``collapse``,
        runs of alike events become one line with their count and time span."""
        rows = []
        for run in self._runs(collapse):
            first, last = run[0], run[-1]
            when = f"{first.at * 1000:.0f} ms" if len(run) == 1 else f"{first.at * 1000:.0f}-{last.at * 1000:.0f} ms"
            where = f"#{first.index}" if first.index is not None else ""
            count = f" x{len(run)}" if len(run) > 1 else ""
            rows.append(f"{when:>16}  {first.type:<20} {where:<3} {first.detail}{count}".rstrip())
        return rows

    def counts(self) -> dict[str, int]:
        """How many events of each kind, in order of first arrival."""
        out: dict[str, int] = {}
        for event in self.events:
            out[event.kind] = out.get(event.kind, 0) + 1
        return out

    def plot(self, title: str = "Events over time") -> Figure:
        """A timeline: one row per kind of event, a mark at each arrival (in ms)."""
        kinds = list(self.counts())
        figure, axes = plt.subplots(figsize=(9, 0.45 * len(kinds) + 1.2))
        for row, kind in enumerate(kinds):
            times = [e.at * 1000 for e in self.events if e.kind == kind]
            axes.scatter(times, [row] * len(times), marker="|", s=180)
        axes.set_yticks(range(len(kinds)), kinds)
        axes.invert_yaxis()
        axes.set_xlim(left=0)  # from the request, so the wait for the first byte shows
        axes.set_xlabel("milliseconds since the request was sent")
        axes.set_title(title)
        axes.grid(axis="x", alpha=0.3)
        figure.tight_layout()
        return figure


@dataclass(frozen=True)
class Phase:
    """A span of an exchange on one clock, e.g. ("turn 1: tool input", 0.9, 1.6)."""

    label: str
    start: float
    end: float


def plot_phases(phases: Sequence[Phase], title: str) -> Figure:
    """A Gantt-style picture of an exchange: one bar per phase, in order, in seconds."""
    figure, axes = plt.subplots(figsize=(9, 0.5 * len(phases) + 1.2))
    for row, phase in enumerate(phases):
        axes.barh(row, phase.end - phase.start, left=phase.start, height=0.6)
        axes.text(phase.end, row, f"  {phase.end - phase.start:.2f} s", va="center", fontsize=9)
    axes.set_yticks(range(len(phases)), [p.label for p in phases])
    axes.invert_yaxis()
    axes.set_xlabel("seconds")
    axes.set_title(title)
    axes.set_xlim(0, max(p.end for p in phases) * 1.15)
    axes.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    return figure
