"""An httpx2 transport that answers the SDK from recordings, paced as they were recorded.

It sits where the real network would: the SDK builds its request, runs its retry loop, and
decodes the served bytes exactly as it would live. Nothing above this seam knows.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator, Iterator

import httpx2

from helpers.errors import NoRecordingError
from helpers.replay import faults
from helpers.replay.demo_controls import DemoControls, Pacer
from helpers.replay.faults import Fault
from helpers.replay.library import RecordingLibrary
from helpers.replay.matching import api_path, attempt_of, request_json
from helpers.replay.pacing import delay, due_at, scaled_retry_headers
from helpers.replay.recording_file import Chunk, Exchange
from helpers.replay.stopwatch import Stopwatch


class PacedBody(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    """Recorded chunks released at their recorded offsets (scaled by speed) from ``start``.

    With ``controls`` (the instructor's panel), the speed can change, the stream pause or break
    while it plays; ``demo_controls.Pacer`` decides, this class only sleeps and delivers.
    """

    def __init__(
        self,
        chunks: list[Chunk],
        start: float,
        speed: float,
        stopwatch: Stopwatch,
        drop: str = "",
        controls: DemoControls | None = None,
    ) -> None:
        self._pacer = Pacer(chunks, start, speed, controls)
        self._stopwatch = stopwatch
        self._closed = False
        self._drop = drop  # non-empty: the connection is cut after the last chunk, for this reason

    def _end(self) -> None:
        reason = self._drop or self._pacer.dropped
        if reason:
            raise httpx2.RemoteProtocolError(f"peer closed connection without sending complete message body ({reason})")

    def _deliver(self, chunk: Chunk) -> bytes:
        if self._closed:
            # As on a real socket: once the response is closed, reading the rest fails.
            raise httpx2.ReadError("the response was closed before its body was read to the end")
        self._stopwatch.advance(chunk.at)
        return chunk.data

    def __iter__(self) -> Iterator[bytes]:
        while (step := self._pacer.step(time.perf_counter())) is not None:
            if isinstance(step, Chunk):
                yield self._deliver(step)
            else:
                time.sleep(step)
        self._end()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while (step := self._pacer.step(time.perf_counter())) is not None:
            if isinstance(step, Chunk):
                yield self._deliver(step)
            else:
                await asyncio.sleep(step)
        self._end()

    def close(self) -> None:
        self._closed = True

    async def aclose(self) -> None:
        self._closed = True


class ReplayTransport(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    """Serves each request the recorded attempt that answers it (sync and async clients)."""

    def __init__(
        self,
        library: RecordingLibrary,
        speed: float,
        stopwatch: Stopwatch,
        final_only: bool = False,
        fault: Fault | None = None,
        controls: DemoControls | None = None,
        nearest: bool = False,
    ) -> None:
        self.library = library
        self.speed = speed
        self.stopwatch = stopwatch
        self.final_only = final_only
        self.fault = fault
        self.controls = controls
        self.nearest = nearest  # tinkering: an unmatched request gets the closest recording, with a line saying so

    def select(self, request: httpx2.Request) -> Exchange:
        """The recorded exchange for this request and attempt; raises NoRecordingError.

        ``final_only`` serves every attempt the recorded outcome, as a live fallback needs:
        the live attempts already told the retry story.
        """
        body = request_json(request)
        if body is None:
            raise NoRecordingError(
                f"Replay answers JSON requests only; {request.method} {request.url.path} sent another kind of body "
                "(a file upload?). Set ANTHROPIC_API_KEY and COURSE_MODE=live to send it to the real API."
            )
        method, path = request.method, api_path(request.url.path)
        try:
            recording = self.library.find(method, path, body)
        except NoRecordingError:
            if not self.nearest:
                raise
            recording, note = self.library.nearest(method, path, body)
            if attempt_of(request) == 0:
                print(note, file=sys.stderr)
        return recording.exchanges[-1] if self.final_only else recording.exchange_for_attempt(attempt_of(request))

    def _begin(self, request: httpx2.Request) -> tuple[Exchange, float, float]:
        """The exchange to serve, when the request started, and how long until its headers are due."""
        start = time.perf_counter()
        self.stopwatch.start()
        exchange = self.select(request)
        return exchange, start, delay(due_at(start, exchange.response.headers_at, self.speed), time.perf_counter())

    def _response(self, request: httpx2.Request, exchange: Exchange, start: float) -> httpx2.Response:
        self.stopwatch.advance(exchange.response.headers_at)
        chunks, drop = exchange.response.chunks, ""
        if self.fault is not None and exchange.request.is_stream and exchange.response.status == 200:
            chunks, dropped = faults.apply(chunks, self.fault)
            drop = f"injected fault: {self.fault.describe()}" if dropped else ""
        body = PacedBody(chunks, start, self.speed, self.stopwatch, drop, self.controls)
        return httpx2.Response(
            exchange.response.status,
            headers=scaled_retry_headers(exchange.response.headers, self.speed),
            stream=body,
            request=request,
        )

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        exchange, start, wait = self._begin(request)
        if wait > 0:
            time.sleep(wait)
        return self._response(request, exchange, start)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        exchange, start, wait = self._begin(request)
        if wait > 0:
            await asyncio.sleep(wait)
        return self._response(request, exchange, start)
