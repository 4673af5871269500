"""Pacing fidelity: at speed 1, does each chunk reach the SDK's reader when it was recorded?

Error = arrival - request start - recorded offset. The request starts when it reaches the
transport seam, the moment a recording's clock starts too; the SDK's own request building
(before the seam) happens live and in replay alike, so it is reported beside the error, not in
it. Chunks are read as raw bytes through a real SDK client, each timed against its own offset.
"""

from __future__ import annotations

import asyncio
import math
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import anthropic
import httpx2

from helpers.replay.library import RecordingLibrary
from helpers.replay.stopwatch import Stopwatch
from helpers.replay.transport import ReplayTransport

from . import streams
from .table import Result

NAME = "pacing_fidelity"
TEXT_DELTAS = 220
TARGET_P99_MS = 5.0


def gaps(count: int, seed: int = 7) -> list[float]:
    """Seconds between chunks like a real text stream's: mostly ~10 ms, from 2 to 40 ms."""
    rng = random.Random(seed)
    return [min(0.040, max(0.002, rng.lognormvariate(math.log(0.011), 0.6))) for _ in range(count)]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100): a value that was actually measured."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def errors_ms(arrivals: list[float], start: float, offsets: list[float]) -> list[float]:
    """How late (ms) each chunk arrived against its recorded offset; times in seconds."""
    if len(arrivals) != len(offsets):
        raise AssertionError(f"{len(arrivals)} chunks arrived, {len(offsets)} were recorded: replay re-split the body.")
    return [(arrived - start - offset) * 1e3 for arrived, offset in zip(arrivals, offsets, strict=True)]


class _SeamClock(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    """Passes each request to the replay transport, noting when it reached the seam."""

    def __init__(self, inner: ReplayTransport) -> None:
        self.inner = inner
        self.sent = 0.0

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        self.sent = time.perf_counter()
        return self.inner.handle_request(request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.sent = time.perf_counter()
        return await self.inner.handle_async_request(request)


def _seam(path: Path, speed: float) -> _SeamClock:
    return _SeamClock(ReplayTransport(RecordingLibrary.single(path, path.parent), speed, Stopwatch(replayed=True)))


def _sync_run(path: Path, speed: float) -> tuple[float, float, list[float]]:
    """(SDK call time, seam time, arrival times) of one streamed request."""
    clock = _seam(path, speed)
    client = anthropic.Anthropic(api_key="benchmark", http_client=httpx2.Client(transport=clock))
    called = time.perf_counter()
    with client.messages.with_streaming_response.create(**streams.REQUEST, stream=True) as response:
        arrivals = [time.perf_counter() for _ in response.iter_bytes()]
    return called, clock.sent, arrivals


async def _async_run(path: Path, speed: float) -> tuple[float, float, list[float]]:
    """The ``AsyncAnthropic`` twin of ``_sync_run``."""
    clock = _seam(path, speed)
    client = anthropic.AsyncAnthropic(api_key="benchmark", http_client=httpx2.AsyncClient(transport=clock))
    called = time.perf_counter()
    async with client.messages.with_streaming_response.create(**streams.REQUEST, stream=True) as response:
        arrivals = [time.perf_counter() async for _ in response.iter_bytes()]
    return called, clock.sent, arrivals


def _row(label: str, runs: list[list[float]], before_seam_ms: list[float]) -> Result:
    pooled = [e for run in runs for e in run]
    worst = max(percentile(run, 99) for run in runs)
    measured = (
        f"p50 {percentile(pooled, 50):.2f} / p99 {percentile(pooled, 99):.2f} / max {max(pooled):.2f} ms, "
        f"worst run p99 {worst:.2f} ms ({len(runs)} runs x {len(runs[0])} chunks); "
        f"SDK before the seam {min(before_seam_ms):.1f}-{max(before_seam_ms):.1f} ms"
    )
    return Result(label, measured, f"p99 <= {TARGET_P99_MS:g} ms, every run", worst <= TARGET_P99_MS)


def _measure(runs: int, folder: Path) -> list[Result]:
    events = streams.text_message([f" word{k}" for k in range(TEXT_DELTAS)])
    chunks = streams.paced(events, gaps(len(events) - 1), first_at=0.5)
    path = streams.save(chunks, folder, NAME)
    offsets = [c.at for c in chunks]
    paths: dict[str, Callable[[float], tuple[float, float, list[float]]]] = {
        "sync": lambda speed: _sync_run(path, speed),
        "async": lambda speed: asyncio.run(_async_run(path, speed)),
    }
    results = []
    for kind, one_run in paths.items():
        one_run(0)  # warm-up at speed 0: the SDK's first request pays one-off costs
        errors, before_seam = [], []
        for _ in range(runs):
            called, sent, arrivals = one_run(1)
            errors.append(errors_ms(arrivals, sent, offsets))
            before_seam.append((sent - called) * 1e3)
        results.append(_row(f"pacing error at speed 1, {kind} ({offsets[-1]:.1f} s stream)", errors, before_seam))
    return results


def run(quick: bool) -> list[Result]:
    """Replay a ~3.3 s stream of 226 chunks at speed 1, 5 times per path (2 with ``quick``)."""
    with tempfile.TemporaryDirectory() as folder:
        return _measure(2 if quick else 5, Path(folder))
