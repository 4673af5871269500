"""A recording's pieces of text with their arrival times: what lesson 04's checks feed a student's code."""

from __future__ import annotations

from helpers.checks.common import recorded_request, replay_client
from helpers.client import stopwatch


def recorded_arrivals(name: str) -> list[tuple[float, str]]:
    """``(seconds, text)`` for each piece of a recording, on its own clock."""
    with replay_client() as client:
        clock = stopwatch(client)
        with client.messages.stream(**recorded_request(name)) as stream:
            return [(clock.elapsed(), text) for text in stream.text_stream]
