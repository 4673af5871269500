"""Placeholder: being written (LiveTransport)."""

from __future__ import annotations

import httpx2


class LiveTransport(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    def __init__(self, stopwatch, *, recorder=None, fallback=None, max_retries=2) -> None:  # type: ignore[no-untyped-def]
        raise NotImplementedError("live mode is being written")
