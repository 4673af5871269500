"""Render cost: what ``helpers.views.stream_view.StreamView`` sends to the front end for a long Markdown answer.

A Markdown answer of more than 4,000 tokens (lesson 04's recorded answers, repeated) is
synthesized in the API's wire format, replayed at speed 0 through a real ``Anthropic`` client
and fed fragment by fragment into views with the recording's clock, so redraw counts are exact.
For each way of drawing it measures the HTML bytes sent, the redraws, and the CPU time spent
rendering (text to HTML, ``ViewStats.render_seconds``) and in the whole view (rendering plus the
widgets' own work); the baselines are the final HTML's size and one render of the whole text.
"""

from __future__ import annotations

import gc
import statistics
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import helpers
from helpers.replay import recording_file
from helpers.tooling.synthesize import Spec, Timing, synthesize, token_count
from helpers.views.markdown_blocks import render_markdown
from helpers.views.stream_view import StreamView
from helpers.views.throttle import DEFAULT_RATE, max_redraws

from .table import Result

NAME = "render_cost"
ROOT = Path(__file__).resolve().parent.parent
MIN_TOKENS = 4000
BYTES_TARGET = 3.0  # bytes sent / final HTML
CPU_TARGET = 3.0  # render CPU / one render of the whole text
REQUEST: dict[str, Any] = {"model": "claude-sonnet-4-6", "max_tokens": 8192, "messages": [{"role": "user", "content": "Answer at length."}]}

# name: the view's settings. The last is the default view; the others show what it saves.
VARIANTS: dict[str, dict[str, Any]] = {
    "naive: whole text every fragment": {"mode": "whole", "rate": None, "budget": None},
    "throttled: whole text, 20/s": {"mode": "whole", "budget": None},
    "streaming Markdown, 20/s, no budget": {"budget": None},
    "streaming Markdown (default: 20/s, budget 1, pause <= 0.5 s)": {},
}


def long_answer(specs: Path = ROOT / "fixtures" / "specs") -> str:
    """Lesson 04's recorded Markdown answers joined, repeated until they make >= 4,000 tokens."""
    sections = [tomllib.loads(path.read_text(encoding="utf-8"))["content"][0]["text"] for path in sorted(specs.glob("render_*.toml"))]
    parts: list[str] = []
    while token_count("\n\n".join(parts)) < MIN_TOKENS:
        parts += sections
    return "\n\n".join(parts)


def _recording(text: str, folder: Path) -> Path:
    spec = Spec(
        name=NAME,
        path=folder / f"{NAME}.toml",
        request=REQUEST,
        blocks=[{"type": "text", "text": text}],
        stop_reason="end_turn",
        stop_sequence=None,
        input_tokens=20,
        timing=Timing(),
        date="2026-11-24",
        seed=4,
        note="benchmark stream",
        also_blocking=False,
    )
    return recording_file.save(synthesize(spec)[0], folder / f"{NAME}.json")


@dataclass(frozen=True)
class Run:
    """One view fed the whole recording: what it sent and the CPU it took."""

    bytes: int
    redraws: int
    render_cpu: float
    view_cpu: float
    duration: float  # recorded seconds from the first fragment to the last
    html_matches: bool


def _feed(path: Path, settings: dict[str, Any], final_html: str) -> Run:
    client = helpers.make_client("replay", speed=0, recording=path)
    clock = helpers.stopwatch(client)
    view = StreamView(clock=clock, widgets=True, **settings)
    cpu, first, last = 0.0, None, 0.0
    gc.collect()
    with client.messages.stream(**REQUEST) as stream:
        for fragment in stream.text_stream:
            first = clock.elapsed() if first is None else first
            last = clock.elapsed()
            started = time.process_time()
            view.append(fragment)
            cpu += time.process_time() - started
    started = time.process_time()
    view.finish()
    cpu += time.process_time() - started
    stats = view.stats
    return Run(stats.bytes, stats.redraws, stats.render_seconds, cpu, last - (first or 0.0), view.html == final_html)


def _one_render_cpu(text: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.process_time()
        render_markdown(text)
        times.append(time.process_time() - started)
    return statistics.median(times)


def run(quick: bool) -> list[Result]:
    """Each variant once (bytes and redraws are exact); CPU is the median of 3 runs (1 with ``quick``)."""
    text = long_answer()
    final_html = render_markdown(text)
    size = len(final_html.encode("utf-8"))
    runs = 1 if quick else 3
    baseline = _one_render_cpu(text, 5 * runs)
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = _recording(text, Path(tmp))
        for label, settings in VARIANTS.items():
            repeats = 1 if settings.get("rate", DEFAULT_RATE) is None else runs  # the naive view is slow: once
            measured = [_feed(path, settings, final_html) for _ in range(repeats)]
            view = measured[0]
            render_cpu = statistics.median(r.render_cpu for r in measured)
            view_cpu = statistics.median(r.view_cpu for r in measured)
            allowed = max_redraws(view.duration, DEFAULT_RATE)
            byte_ratio, cpu_ratio = view.bytes / size, render_cpu / baseline
            passed = view.html_matches and byte_ratio <= BYTES_TARGET and cpu_ratio <= CPU_TARGET and view.redraws <= allowed
            results.append(
                Result(
                    f"render cost, {label}",
                    f"{view.bytes / 1e3:,.0f} kB = {byte_ratio:.1f}x final HTML ({size / 1e3:.0f} kB); render CPU "
                    f"{render_cpu * 1e3:,.1f} ms = {cpu_ratio:.1f}x one render ({baseline * 1e3:.1f} ms), whole view "
                    f"{view_cpu * 1e3:,.0f} ms; {view.redraws:,} redraws (20/s allows {allowed:,} over {view.duration:.1f} s)"
                    f"{'' if view.html_matches else '; FINAL HTML DIFFERS'}",
                    f"<= {BYTES_TARGET:g}x bytes, <= {CPU_TARGET:g}x CPU, redraws <= 20/s",
                    passed,
                )
            )
    return results
