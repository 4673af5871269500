"""Lesson 05's relay: what it adds to time to first text, how it paces fifty streams, and what it sends.

The app runs in a server process of its own (``helpers.web``, uvicorn, replaying the course's
recordings), as a student runs it; this process is the browser side, an ``httpx2`` client on
127.0.0.1 that timestamps every event as it arrives.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

import helpers
from helpers import config
from helpers.replay import recording_file, sse
from helpers.views.markdown_blocks import render_markdown
from helpers.web.blocks import without_images
from helpers.web.relay import RelaySettings

from .table import Result

NAME = "relay"
OVERHEAD_TARGET_MS = 5.0
PACING_TARGET_MS = 20.0
STREAMS = 50
SERVER = """
import sys
from helpers.web import RelaySettings, create_app
from helpers.web.server import bind, serve, url_of
settings = RelaySettings(rate={rate}, budget={budget})
sock = bind("127.0.0.1", 0)
print(url_of(sock), flush=True)
serve(create_app(settings=settings), sock)
"""
UNTHROTTLED = RelaySettings(rate=None, budget=None)


@contextmanager
def server(speed: float, settings: RelaySettings) -> Iterator[tuple[str, int]]:
    """The app in a process of its own, replaying at ``speed``: its URL and process id."""
    env = {**os.environ, "COURSE_MODE": "replay", "COURSE_REPLAY_SPEED": str(speed)}
    env.pop("COURSE_FAULT", None)
    script = SERVER.format(rate=settings.rate, budget=settings.budget)
    process = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url:
            raise RuntimeError("the web app's process did not start")
        _wait_until_up(url)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx2.get(url + "api/info", timeout=2, trust_env=False)
            return
        except httpx2.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def rss_kib(pid: int) -> int:
    """A process's resident memory (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@dataclass
class Received:
    """One stream as the client saw it: when it was sent, each event with its arrival time, and the bytes."""

    sent: float
    events: list[tuple[float, str, Any]] = field(default_factory=list)
    size: int = 0


async def fetch(http: httpx2.AsyncClient, url: str, prompt: str, stop_at_first_text: bool = False) -> Received:
    """POST one prompt and timestamp each event of the answer as its last byte arrives."""
    body = {"messages": [{"role": "user", "content": prompt}]}
    received = Received(time.perf_counter())
    async with http.stream("POST", url + "api/stream", json=body) as response:
        buffer = b""
        async for chunk in response.aiter_raw():
            now = time.perf_counter()
            received.size += len(chunk)
            buffer += chunk
            *whole, buffer = buffer.split(b"\n\n")
            for block in whole:
                parsed = sse.parse(block + b"\n\n").events
                if parsed:
                    received.events.append((now, parsed[0].event or "message", parsed[0].json()))
            if stop_at_first_text and received.events:
                break
    return received


def _client() -> httpx2.AsyncClient:
    return httpx2.AsyncClient(timeout=httpx2.Timeout(60.0), limits=httpx2.Limits(max_connections=STREAMS + 10), trust_env=False)


def recording_named(name: str) -> recording_file.Recording:
    return recording_file.load(config.fixtures_dir() / f"{name}.json")


def text_due(name: str) -> list[float]:
    """The recorded offset of each text delta of a recording: when the relay could forward it at speed 1."""
    response = recording_named(name).exchanges[-1].response
    ends, position = [], 0
    for chunk in response.chunks:
        position += len(chunk.data)
        ends.append((position, chunk.at))
    due = []
    for event in sse.parse(response.body).events:
        if event.event == "content_block_delta" and event.json()["delta"]["type"] == "text_delta":
            due.append(next(at for end, at in ends if end >= event.end))
    return due


def prompt_of(name: str) -> str:
    return recording_named(name).request.body["messages"][0]["content"]


async def _first_text(url: str, prompt: str) -> float:
    async with _client() as http:
        received = await fetch(http, url, prompt, stop_at_first_text=True)
    return received.events[0][0] - received.sent


async def _direct_first_text(prompt: str) -> float:
    async with helpers.make_async_client("replay", speed=0, fault="") as client:
        started = time.perf_counter()
        async with client.messages.stream(
            model=helpers.MODEL, max_tokens=RelaySettings().max_tokens, messages=[{"role": "user", "content": prompt}]
        ) as stream:
            async for _ in stream.text_stream:
                return time.perf_counter() - started
    raise RuntimeError("the recording has no text")


def overhead(runs: int) -> Result:
    """Median time to first text through the relay minus the same SDK call made directly, at speed 0."""
    prompt = prompt_of("web_markdown")
    relayed, direct = [], []
    with server(0, RelaySettings()) as (url, _):
        for n in range(runs + 2):  # two warm-up rounds, not kept
            through = asyncio.run(_first_text(url, prompt))
            alone = asyncio.run(_direct_first_text(prompt))
            if n >= 2:
                relayed.append(through)
                direct.append(alone)
    extra = (statistics.median(relayed) - statistics.median(direct)) * 1e3
    measured = (
        f"+{extra:.2f} ms ({statistics.median(relayed) * 1e3:.2f} ms through the relay vs "
        f"{statistics.median(direct) * 1e3:.2f} ms direct, medians of {runs})"
    )
    return Result("relay overhead: time to first text at speed 0", measured, f"< {OVERHEAD_TARGET_MS:g} ms", extra < OVERHEAD_TARGET_MS)


async def _many(url: str, prompt: str, pid: int) -> tuple[list[Received], int]:
    """``STREAMS`` streams at once, and the server's peak resident memory while they ran."""
    peak = 0

    async def watch() -> None:
        nonlocal peak
        while True:
            peak = max(peak, rss_kib(pid))
            await asyncio.sleep(0.05)

    watcher = asyncio.ensure_future(watch())
    try:
        async with _client() as http:
            streams = await asyncio.gather(*(fetch(http, url, prompt) for _ in range(STREAMS)))
    finally:
        watcher.cancel()
    return list(streams), peak


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def concurrency(name: str = "web_long") -> list[Result]:
    """Fifty streams of one long answer at speed 1: how late each starts, how well each keeps pace after, and memory.

    Lateness is split in two: the first text against its recorded time from the POST (fifty
    requests arriving at once queue for one event loop), and every later event against the first
    one's arrival (the pacing a reader sees once the answer is under way).
    """
    prompt, due = prompt_of(name), text_due(name)
    duration = recording_named(name).exchanges[-1].response.duration
    results = []
    for settings, label in ((UNTHROTTLED, "every text delta forwarded"), (RelaySettings(), "default throttle: first text and end")):
        with server(1, settings) as (url, pid):
            asyncio.run(_many(url, prompt, pid))  # warm-up: imports, caches, the allocator's first growth
            baseline = rss_kib(pid)
            streams, peak = asyncio.run(_many(url, prompt, pid))
        starts, pacing = [], []
        for stream in streams:
            assert stream.events[-1][1] == "done", f"a stream ended with {stream.events[-1][1]}"
            updates = [at for at, kind, _ in stream.events if kind == "blocks"]
            starts.append((updates[0] - stream.sent - due[0]) * 1e3)
            if settings is UNTHROTTLED:  # one update per text delta, each due at its recorded offset
                assert len(updates) == len(due), (len(updates), len(due))
                pacing += [((at - updates[0]) - (offset - due[0])) * 1e3 for at, offset in zip(updates[1:], due[1:], strict=True)]
            else:  # the throttle holds text back on purpose: only the end is due at a known time
                pacing.append(((stream.events[-1][0] - updates[0]) - (duration - due[0])) * 1e3)
        p99 = _percentile(pacing, 0.99)
        measured = (
            f"pacing after the first text p50 {statistics.median(pacing):.1f} / p99 {p99:.1f} / max {max(pacing):.1f} ms "
            f"({len(pacing):,} events); first text late by p50 {statistics.median(starts):.0f} / max {max(starts):.0f} ms; "
            f"server {baseline / 1024:.0f} MiB idle, +{(peak - baseline) / STREAMS:.0f} KiB per stream at peak"
        )
        label = f"{STREAMS} concurrent streams at speed 1, {label} ({duration:.1f} s answer)"
        results.append(Result(label, measured, f"pacing p99 < {PACING_TARGET_MS:g} ms", p99 < PACING_TARGET_MS))
    return results


def _text_events_size(name: str) -> int:
    """What the other design would send: each text delta as its own event, for the page to render."""
    response = recording_named(name).exchanges[-1].response
    size = 0
    for event in sse.parse(response.body).events:
        if event.event == "content_block_delta" and event.json()["delta"]["type"] == "text_delta":
            text = event.json()["delta"]["text"]
            size += len(f"event: text\ndata: {json.dumps({'text': text}, ensure_ascii=False, separators=(',', ':'))}\n\n".encode())
    return size


async def _one_of_each(url: str, names: list[str]) -> list[Received]:
    async with _client() as http:
        return list(await asyncio.gather(*(fetch(http, url, prompt_of(name)) for name in names)))


def wire_bytes() -> list[Result]:
    """Bytes sent per answer, against the answer's text and its HTML, with and without the throttle, at speed 1."""
    names = ["web_markdown", "web_long", "web_untrusted"]
    texts = {name: _final_text(name) for name in names}
    results = []
    for settings, label in ((RelaySettings(), "default throttle (20/s, budget 1)"), (UNTHROTTLED, "every text delta")):
        with server(1, settings) as (url, _):
            streams = asyncio.run(_one_of_each(url, names))
        parts = []
        for name, stream in zip(names, streams, strict=True):
            text = len(texts[name].encode())
            rendered = len(without_images(render_markdown(texts[name])).encode())
            updates = sum(kind == "blocks" for _, kind, _ in stream.events)
            parts.append(
                f"{name}: {stream.size:,} B = {stream.size / text:.1f}x text, {stream.size / rendered:.1f}x HTML ({updates} updates)"
            )
        results.append(Result(f"bytes on the wire per answer, {label}", "; ".join(parts), "report only", True))
    alternative = "; ".join(
        f"{name}: {_text_events_size(name):,} B = {_text_events_size(name) / len(texts[name].encode()):.1f}x text" for name in names
    )
    results.append(
        Result(
            "bytes if the page rendered Markdown itself (text deltas only, plus a JS Markdown library)", alternative, "report only", True
        )
    )
    return results


def _final_text(name: str) -> str:
    with (
        helpers.make_client("replay", speed=0, fault="") as client,
        client.messages.stream(model=helpers.MODEL, max_tokens=1024, messages=[{"role": "user", "content": prompt_of(name)}]) as stream,
    ):
        return stream.get_final_text()


def run(quick: bool) -> list[Result]:
    """Every row of this benchmark; ``quick`` measures the overhead over fewer runs."""
    return [overhead(10 if quick else 40), *concurrency(), *wire_bytes()]
