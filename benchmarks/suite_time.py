"""Whole test suite: wall time of ``python -m pytest`` from the repository root, as CI runs it.

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
COMMAND = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
TARGET_S = 60.0


def _one_run() -> tuple[float, int, str]:
    """Seconds, exit code, and pytest's summary line."""
    started = time.perf_counter()
    done = subprocess.run(COMMAND, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    lines = done.stdout.strip().splitlines()
    return elapsed, done.returncode, lines[-1] if lines else done.stderr.strip()[-120:]


def run(quick: bool) -> list[Result]:
    """3 runs (1 with ``quick``); the median counts. A failing suite is timed and said so."""
    outcomes = [_one_run() for _ in range(1 if quick else 3)]
    median = statistics.median(seconds for seconds, _, _ in outcomes)
    _, code, summary = outcomes[-1]
    status = summary if code == 0 else f"SUITE FAILED (exit {code}): {summary}"
    measured = f"{median:.1f} s (median of {len(outcomes)}; {status})"
    return [Result("whole pytest run", measured, f"< {TARGET_S:g} s", median < TARGET_S)]
