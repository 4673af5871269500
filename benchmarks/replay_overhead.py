"""Replay overhead: helpers' replay path against the same bytes served from memory by MockTransport.

Both sides run the whole SDK (request, SSE decoding, snapshot accumulation); the ratio of their
medians is what the course's transport, recording library and pacing add at speed 0.
"""

from __future__ import annotations

import gc
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import anthropic
import httpx2

import helpers

from . import streams
from .table import Result

NAME = "replay_overhead"
TEXT_DELTAS = 4000 - streams.FRAMING_EVENTS  # 4,000 SSE events in all
TARGET = 1.10


class _MemoryBody(httpx2.SyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks


def _in_memory_client(chunks: list[bytes]) -> anthropic.Anthropic:
    """The baseline: a bare MockTransport handing the SDK the same chunks, one per read."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers=streams.HEADERS, stream=_MemoryBody(chunks), request=request)

    return anthropic.Anthropic(api_key="benchmark", http_client=httpx2.Client(transport=httpx2.MockTransport(handler)))


def _consume(client: anthropic.Anthropic) -> tuple[float, str]:
    """Seconds to stream the whole answer as a lesson does, and its final text."""
    gc.collect()
    started = time.perf_counter()
    with client.messages.stream(**streams.REQUEST) as stream:
        for _ in stream.text_stream:
            pass
        text = stream.get_final_text()
    return time.perf_counter() - started, text


def _measure(runs: int, folder: Path) -> list[Result]:
    pieces = [f" word{k % 251}" for k in range(TEXT_DELTAS)]
    events = streams.text_message(pieces)
    chunks = streams.paced(events, [0.001] * (len(events) - 1), first_at=0.31)
    path = streams.save(chunks, folder, NAME)
    sides: dict[str, anthropic.Anthropic] = {
        "replay": helpers.make_client("replay", speed=0, recording=path),
        "memory": _in_memory_client([c.data for c in chunks]),
    }
    seconds: dict[str, list[float]] = {side: [] for side in sides}
    for n in range(runs + 1):  # run 0 warms both paths up and is not kept
        order = list(sides) if n % 2 else list(reversed(sides))
        for side in order:
            elapsed, text = _consume(sides[side])
            if text != "".join(pieces):
                raise AssertionError(f"{side} path returned a different final text ({len(text)} characters).")
            if n:
                seconds[side].append(elapsed)
    replay, memory = (statistics.median(seconds[side]) for side in ("replay", "memory"))
    ratio = replay / memory
    measured = f"{ratio:.2f}x ({replay * 1e3:.0f} ms vs {memory * 1e3:.0f} ms, median of {runs})"
    label = f"replay overhead, {len(chunks):,} events at speed 0"
    return [Result(label, measured, f"<= {TARGET:.2f}x", ratio <= TARGET)]


def run(quick: bool) -> list[Result]:
    """Alternate the two paths (15 runs each, 5 with ``quick``) after one warm-up run of each."""
    with tempfile.TemporaryDirectory() as folder:
        return _measure(5 if quick else 15, Path(folder))
