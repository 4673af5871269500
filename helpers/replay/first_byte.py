"""How long a live call waits for its answer to start, and the line a reader sees meanwhile.

The SDK waits up to ten minutes for a response, and retries twice: in front of a class, a hung
network looks like a frozen notebook for half an hour. A streamed answer starts within seconds,
so a live course client gives up on the first byte after ``COURSE_TIMEOUT`` seconds and, with
the backup on, answers from the recording at once. A call that is not streamed sends nothing
until the whole answer is written, which can take minutes: only its connection gets the limit.
Once the answer has started, the SDK's own timeouts apply again.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from collections.abc import Iterator, Mapping

DEFAULT_LIMIT_S = 10.0
SHORTEST_LIMIT_S, LONGEST_LIMIT_S = 0.1, 600.0  # 600 s is the SDK's own read timeout
NOTICE_AFTER_S = 2.0  # a wait shorter than this needs no explanation

Timeouts = Mapping[str, float | None]


def until_first_byte(timeouts: Timeouts, limit: float, streamed: bool) -> dict[str, float | None]:
    """An attempt's httpx2 timeouts until its response starts: ``limit`` caps connecting and, for a stream, the wait for headers."""
    capped = dict(timeouts)
    for phase in ("connect", "read") if streamed else ("connect",):
        current = capped.get(phase)
        capped[phase] = limit if current is None else min(current, limit)
    return capped


def notice(limit: float, streamed: bool) -> str:
    """What the reader is told while a live call has not started answering."""
    if streamed:
        return f"Waiting for the live API to start its answer (gives up after {limit:g} s: COURSE_TIMEOUT or make_client(timeout=))…"
    return "Waiting for the live API's answer: it is not streamed, so nothing arrives until all of it is written…"


def notice_after(limit: float) -> float:
    """When to print the notice: after ``NOTICE_AFTER_S``, or halfway through a shorter limit."""
    return min(NOTICE_AFTER_S, limit / 2)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def noticed(message: str, after: float) -> Iterator[None]:
    """Print ``message`` if the block is still running ``after`` seconds from now (a blocking call)."""
    timer = threading.Timer(after, _say, args=(message,))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


@contextlib.contextmanager
def anoticed(message: str, after: float) -> Iterator[None]:
    """The event-loop twin of ``noticed``, for an ``await`` inside the block."""
    handle = asyncio.get_running_loop().call_later(after, _say, message)
    try:
        yield
    finally:
        handle.cancel()
