"""Time since the latest request was sent, on the clock that tells the truth for the mode."""

from __future__ import annotations

import time


class Stopwatch:
    """Seconds since the client's latest request was sent.

    Live, it is measured. Under replay it reads the recording's clock (the recorded arrival
    offset of the latest bytes served), so time to first token and throughput come out the same
    at any replay speed and a notebook's printed timings are reproducible.
    """

    def __init__(self, replayed: bool) -> None:
        self.replayed = replayed
        self._started = time.perf_counter()
        self._recorded = 0.0

    def start(self) -> None:
        """A request is being sent: the clock restarts at zero."""
        self._started = time.perf_counter()
        self._recorded = 0.0

    def advance(self, recorded_offset: float) -> None:
        """Replay delivered bytes recorded ``recorded_offset`` seconds after the request."""
        self._recorded = recorded_offset

    def elapsed(self) -> float:
        """Seconds since the latest request was sent (the recording's seconds under replay)."""
        if self.replayed:
            return self._recorded
        return time.perf_counter() - self._started
