"""Test-suite wall time from the repository root: the whole suite as CI runs it, and the quick loop.

(Named ``suite_time`` rather than ``test_…`` so pytest never collects it as a test module.)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from .table import Result

NAME = "suite_time"
ROOT = Path(__file__).resolve().parent.parent
PYTEST = [sys.executable, "-m", "pytest", "-q"]
SUITES: tuple[tuple[str, list[str], float], ...] = (
    # (row, extra arguments, target in seconds): the README's commands
    ("whole pytest run (2 workers)", [], 60.0),
    ("quick loop: pytest -p no:nbval -m 'not slow'", ["-p", "no:nbval", "-m", "not slow"], 20.0),
)


def _one_run(arguments: list[str]) -> tuple[float, int, str]:
    """Seconds, exit code, and pytest's summary line."""
    started = time.perf_counter()
    try:
        done = subprocess.run(PYTEST + arguments, cwd=ROOT, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - started, -1, "stopped after 600 s"
    elapsed = time.perf_counter() - started
    lines = done.stdout.strip().splitlines()
    return elapsed, done.returncode, lines[-1] if lines else done.stderr.strip()[-120:]


def run(quick: bool) -> list[Result]:
    """3 runs of each (1 with ``quick``); the median counts, the slowest is shown. A failing suite is timed and said so."""
    results = []
    for row, arguments, target in SUITES:
        outcomes = [_one_run(arguments) for _ in range(1 if quick else 3)]
        times = [seconds for seconds, _, _ in outcomes]
        median = statistics.median(times)
        _, code, summary = outcomes[-1]
        status = summary if code == 0 else f"SUITE FAILED (exit {code}): {summary}"
        measured = f"{median:.1f} s (median of {len(outcomes)}, slowest {max(times):.1f} s; {status})"
        results.append(Result(row, measured, f"< {target:g} s", median < target and code == 0))
    return results
