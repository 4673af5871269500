"""A replay client whose requests fail on a plan: the first stream drops, the second succeeds.

``make_client(fault=...)`` breaks every stream it serves, which shows a failure but not a
recovery: a retry would fail the same way. A ``FaultPlan`` serves its n-th request with the
n-th step of a plan (the last step repeats), at the same httpx2 seam as replay itself, so the
SDK runs as it would live. It also counts requests, notes whether each response was closed,
and can stop a runaway retry loop after a number of requests.

A step is written like a fault of ``helpers.replay.faults`` (``drop@after=10``,
``error@after=8``, ``eof@after=10``, ``stall@after=6,seconds=4``), ``""`` for the recording as
it is, ``regroup`` for the recording with its text split into other pieces (each two
consecutive text deltas sent as one, so a retry's pieces do not line up with the first
attempt's), or ``http=STATUS`` for an HTTP error before the stream starts (``http=400`` an
``invalid_request_error``, ``http=529`` an ``overloaded_error``).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import anthropic
import httpx2

from helpers import config
from helpers.client import REPLAY_BASE_URL, REPLAY_KEY
from helpers.errors import ConfigError, LimitReached
from helpers.replay.faults import parse_fault
from helpers.replay.library import RecordingLibrary
from helpers.replay.stopwatch import Stopwatch
from helpers.replay.transport import ReplayTransport

HTTP_ERRORS = {
    400: (
        "invalid_request_error",
        "This model does not support assistant message prefill. The conversation must end with a user message.",
    ),
    429: ("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"),
    500: ("api_error", "Internal server error"),
    529: ("overloaded_error", "Overloaded"),
}
"""The error type and message the API sends with each HTTP status a plan can serve."""


@dataclass
class Attempt:
    """One request a plan served: its step, its HTTP status, and what became of its body."""

    number: int
    step: str
    status: int
    started: float
    request_id: str = ""
    chunks_read: int = 0
    closed: bool = False
    finished: bool = False  # the body was read to its end
    read_at: list[float] = field(default_factory=list)  # time.perf_counter() of each chunk read
    closed_at: float | None = None  # when the body was first closed

    @property
    def describe(self) -> str:
        """``attempt 2 (drop@after=10): HTTP 200``: one line for a log."""
        return f"attempt {self.number} ({self.step or 'as recorded'}): HTTP {self.status}"


REGROUP = "regroup"
"""The step that serves the recording with each two consecutive text deltas merged into one."""


class _Regrouper:
    """Merges each two consecutive ``text_delta`` events of an SSE body into one; the text is unchanged."""

    def __init__(self) -> None:
        self._buffer = b""
        self._held: tuple[dict[str, Any], bytes] | None = None

    @staticmethod
    def _text_delta(event: bytes) -> dict[str, Any] | None:
        for line in event.split(b"\n"):
            if line.startswith(b"data:") and b'"text_delta"' in line:
                data = json.loads(line[5:])
                if data.get("type") == "content_block_delta" and data.get("delta", {}).get("type") == "text_delta":
                    return dict(data)
        return None

    def feed(self, chunk: bytes) -> bytes:
        self._buffer += chunk
        out = b""
        while b"\n\n" in self._buffer:
            event, _, self._buffer = self._buffer.partition(b"\n\n")
            out += self._event(event + b"\n\n")
        return out

    def _event(self, event: bytes) -> bytes:
        data = self._text_delta(event)
        if data is None:
            return self.flush() + event
        if self._held is None:
            self._held = (data, event)
            return b""
        held, _ = self._held
        self._held = None
        if held["index"] != data["index"]:
            return self._encode(held) + self._event(event)
        held["delta"] = {**held["delta"], "text": held["delta"]["text"] + data["delta"]["text"]}
        return self._encode(held)

    @staticmethod
    def _encode(data: dict[str, Any]) -> bytes:
        return b"event: content_block_delta\ndata: " + json.dumps(data).encode() + b"\n\n"

    def flush(self) -> bytes:
        held, self._held = self._held, None
        rest, self._buffer = self._buffer, b""
        return (self._encode(held[0]) if held else b"") + rest


class _WatchedBody(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    """A response body passed through (regrouped for a ``regroup`` step), noting how far it was read and whether it was closed."""

    def __init__(self, inner: httpx2.SyncByteStream | httpx2.AsyncByteStream, attempt: Attempt, regroup: bool = False) -> None:
        self._inner = inner
        self._attempt = attempt
        self._regrouper = _Regrouper() if regroup else None

    def _pass(self, chunk: bytes) -> bytes:
        self._attempt.chunks_read += 1
        self._attempt.read_at.append(time.perf_counter())
        return self._regrouper.feed(chunk) if self._regrouper else chunk

    def __iter__(self) -> Iterator[bytes]:
        assert isinstance(self._inner, httpx2.SyncByteStream)
        for chunk in self._inner:
            if out := self._pass(chunk):
                yield out
        if self._regrouper and (out := self._regrouper.flush()):
            yield out
        self._attempt.finished = True

    async def __aiter__(self) -> AsyncIterator[bytes]:
        assert isinstance(self._inner, httpx2.AsyncByteStream)
        async for chunk in self._inner:
            if out := self._pass(chunk):
                yield out
        if self._regrouper and (out := self._regrouper.flush()):
            yield out
        self._attempt.finished = True

    def _note_closed(self) -> None:
        if not self._attempt.closed:
            self._attempt.closed, self._attempt.closed_at = True, time.perf_counter()

    def close(self) -> None:
        self._note_closed()
        if isinstance(self._inner, httpx2.SyncByteStream):
            self._inner.close()

    async def aclose(self) -> None:
        self._note_closed()
        if isinstance(self._inner, httpx2.AsyncByteStream):
            await self._inner.aclose()


def _http_status(step: str) -> int | None:
    if not step.startswith("http="):
        return None
    try:
        status = int(step.removeprefix("http="))
    except ValueError:
        status = 0
    if status not in HTTP_ERRORS:
        raise ConfigError(f"Plan step {step!r}: use http= with one of {', '.join(map(str, HTTP_ERRORS))}.")
    return status


def error_response(status: int, request: httpx2.Request, number: int) -> httpx2.Response:
    """An HTTP error as the API sends it: a JSON error body and a request-id, no stream."""
    error_type, message = HTTP_ERRORS[status]
    request_id = f"req_plan_{number:02d}_http_{status}"
    body = {"type": "error", "error": {"type": error_type, "message": message}, "request_id": request_id}
    headers = {"content-type": "application/json", "request-id": request_id}
    if status != 400:
        headers["retry-after-ms"] = "1"
    return httpx2.Response(status, headers=headers, content=json.dumps(body).encode(), request=request)


@dataclass
class FaultPlan(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    """Serves request n with ``steps[n]`` (the last step repeats), from the course's recordings."""

    steps: Sequence[str]
    speed: float = 0.0
    limit: int | None = None
    attempts: list[Attempt] = field(default_factory=list)
    stopwatch: Stopwatch = field(default_factory=lambda: Stopwatch(replayed=True))

    def __post_init__(self) -> None:
        if not self.steps:
            raise ConfigError("A fault plan needs at least one step ('' serves the recording as it is).")
        library = RecordingLibrary.from_dir(config.fixtures_dir())
        self._replays: dict[str, ReplayTransport] = {}
        for step in self.steps:
            if _http_status(step) is None and step not in self._replays:
                fault = parse_fault(step) if step and step != REGROUP else None
                self._replays[step] = ReplayTransport(library, config.resolve_speed(self.speed), self.stopwatch, fault=fault)

    @property
    def requests(self) -> int:
        """How many requests were sent through this plan."""
        return len(self.attempts)

    def client(self, max_retries: int = 0) -> anthropic.Anthropic:
        """A real ``anthropic.Anthropic`` whose requests follow this plan (the SDK's own retries off by default)."""
        return anthropic.Anthropic(
            api_key=REPLAY_KEY, base_url=REPLAY_BASE_URL, max_retries=max_retries, http_client=httpx2.Client(transport=self)
        )

    def async_client(self, max_retries: int = 0) -> anthropic.AsyncAnthropic:
        """The ``anthropic.AsyncAnthropic`` twin of ``client``."""
        return anthropic.AsyncAnthropic(
            api_key=REPLAY_KEY, base_url=REPLAY_BASE_URL, max_retries=max_retries, http_client=httpx2.AsyncClient(transport=self)
        )

    def _next(self, request: httpx2.Request) -> tuple[Attempt, ReplayTransport | None]:
        if self.limit is not None and len(self.attempts) >= self.limit:
            raise LimitReached(f"the plan's limit of {self.limit} requests was reached")
        step = self.steps[min(len(self.attempts), len(self.steps) - 1)]
        status = _http_status(step)
        attempt = Attempt(len(self.attempts) + 1, step, status or 200, time.perf_counter())
        self.attempts.append(attempt)
        return attempt, (None if status is not None else self._replays[step])

    def _watched(self, attempt: Attempt, response: httpx2.Response) -> httpx2.Response:
        attempt.status = response.status_code
        attempt.request_id = response.headers.get("request-id", "")
        stream = response.stream
        assert isinstance(stream, (httpx2.SyncByteStream, httpx2.AsyncByteStream))
        body = _WatchedBody(stream, attempt, regroup=attempt.step == REGROUP)
        return httpx2.Response(response.status_code, headers=response.headers, stream=body, request=response.request)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        attempt, replay = self._next(request)
        if replay is None:
            self.stopwatch.start()
            return self._watched(attempt, error_response(attempt.status, request, attempt.number))
        return self._watched(attempt, replay.handle_request(request))

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        attempt, replay = self._next(request)
        if replay is None:
            self.stopwatch.start()
            return self._watched(attempt, error_response(attempt.status, request, attempt.number))
        return self._watched(attempt, await replay.handle_async_request(request))
