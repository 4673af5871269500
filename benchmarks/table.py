"""What a benchmark reports, the machine it ran on, and the table that prints both."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path


@dataclass(frozen=True)
class Result:
    """One row: what was measured, the number, the target, and whether the number meets it."""

    benchmark: str
    measured: str
    target: str
    passed: bool


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The CPU's model name, or the platform's processor string where /proc/cpuinfo is absent."""
    try:
        for line in cpuinfo.read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                return value.strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> str:
    """The line that says where a table was measured."""
    return (
        f"Machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"anthropic {version('anthropic')}, httpx2 {version('httpx2')}"
    )


def render(results: list[Result]) -> str:
    """A Markdown table, aligned so it reads in a terminal and pastes into a README as is."""
    rows = [("benchmark", "measured", "target", "result")]
    rows += [(r.benchmark, r.measured, r.target, "pass" if r.passed else "MISS") for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
