"""``python -m helpers drift``: has the live API started to send something the recordings do not have?

Every request the recordings answer is sent live again, into a temporary copy of the folder (the
shipped recordings are never touched), and each live answer's shape (``stream_shape``) is
compared with the shapes of all the shipped recordings. A new event, block or delta type, a new
field, an order the validator rejects, or a shipped request the API no longer answers
completely (a retired model id, a deprecated parameter) fails the run; timing is reported beside
the recorded timing, for a person to judge.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from helpers.replay import recording_file
from helpers.replay.recording_file import Recording
from helpers.tooling.rerecord import rerecord
from helpers.tooling.stream_shape import Envelope, Shape, envelope, new_kinds, shape_of

RE_RECORDED = "re-recorded live"


@dataclass
class DriftReport:
    """What the live API sent that the recordings lack: findings fail the run, notes inform."""

    findings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    compared: int = 0

    @property
    def drifted(self) -> bool:
        return bool(self.findings)


def known_shape(recordings: list[Recording]) -> Shape:
    """Everything the shipped recordings contain, merged: the baseline a live answer is held to."""
    known = Shape()
    for recording in recordings:
        known.merge(shape_of(recording))
    return known


def _seconds(value: float | None, unit: str) -> str:
    return "-" if value is None else f"{value:.2f}{unit}"


def timing_note(name: str, shipped: Envelope, live: Envelope) -> str:
    """One line: time to first token and token rate, recorded against live."""
    return (
        f"{name}: first token {_seconds(shipped.first_token_s, ' s')} recorded, {_seconds(live.first_token_s, ' s')} live; "
        f"{_seconds(shipped.tokens_per_s, ' tokens/s')} recorded, {_seconds(live.tokens_per_s, ' tokens/s')} live"
    )


def compare(shipped: dict[str, Recording], live: dict[str, Recording]) -> DriftReport:
    """Each live answer held to the shape of every shipped recording (pure: recordings in, report out)."""
    report = DriftReport()
    known = known_shape(list(shipped.values()))
    for name, answer in sorted(live.items()):
        report.compared += 1
        shape = shape_of(answer)
        report.findings += [f"{name}: new {kind}" for kind in new_kinds(known, shape)]
        report.findings += [f"{name}: the order validator rejects the live stream: {problem}" for problem in shape.order_problems]
        report.findings += [f"{name}: new stop reason {stop!r}" for stop in sorted(shape.stop_reasons - known.stop_reasons)]
        if answer.request.is_stream:
            report.notes.append(timing_note(name, envelope(shipped[name].exchanges[-1].response), envelope(answer.exchanges[-1].response)))
    return report


@contextlib.contextmanager
def _recording_into(folder: Path) -> Iterator[None]:
    """Record mode writes where ``COURSE_FIXTURES`` points: point it at ``folder`` for the block."""
    before = os.environ.get("COURSE_FIXTURES")
    os.environ["COURSE_FIXTURES"] = str(folder)
    try:
        yield
    finally:
        if before is None:
            del os.environ["COURSE_FIXTURES"]
        else:
            os.environ["COURSE_FIXTURES"] = before


def drift(folder: Path, names: list[str]) -> DriftReport:
    """Send the recordings' requests live into a temporary copy of ``folder`` and compare shapes."""
    shipped = {path.stem: recording_file.load(path) for path in sorted(folder.glob("*.json"))}
    with tempfile.TemporaryDirectory(prefix="course-drift-") as tmp:
        copy = Path(tmp)
        for path in folder.glob("*.json"):
            shutil.copy2(path, copy / path.name)
        with _recording_into(copy):
            outcomes = rerecord(copy, names)
        report = compare(shipped, {name: recording_file.load(copy / f"{name}.json") for name, what in outcomes if what == RE_RECORDED})
    for name, what in outcomes:
        if what.startswith(("kept", "failed", "stopped")):
            report.findings.append(f"{name}: the live API did not answer the shipped request completely ({what})")
        elif what != RE_RECORDED:
            report.notes.append(f"{name}: {what}")
    return report
