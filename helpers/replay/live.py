"""Live mode: the real network under the SDK, teed into a Recorder when recording, and answered
from the recordings when a call fails before its answer starts."""

from __future__ import annotations

import contextlib
import sys
import time

import anthropic
import httpx2

from helpers.errors import NoRecordingError
from helpers.replay import first_byte
from helpers.replay.matching import api_path, attempt_of, gateway_segments, request_json
from helpers.replay.recorder import Recorder
from helpers.replay.scrub import UNREPLAYABLE_HEADERS, redact, scrub_headers
from helpers.replay.stopwatch import Stopwatch
from helpers.replay.transport import ReplayTransport

RETRYABLE_STATUSES = frozenset({408, 409, 429})
AUTH_STATUSES = frozenset({401, 403})


def sdk_would_retry(status: int) -> bool:
    """Whether the SDK retries a response with this status (408, 409, 429 and every 5xx)."""
    return status in RETRYABLE_STATUSES or status >= 500


def should_use_backup(status: int | None, attempt: int, max_retries: int, timed_out: bool = False) -> bool:
    """Whether a failed live attempt is answered from its recording instead (the course's backup).

    A rejected key will not work on a retry, so 401/403 use the backup at once, and so does an API
    that has not started answering within the course's time limit (``timed_out``): the class
    has waited long enough. Another transient failure (``status`` None: no response at all; or
    408, 409, 429, 5xx) falls back only on the last attempt, after the SDK's own retries have
    had their chance. Other statuses are the student's to see.
    """
    if status in AUTH_STATUSES or timed_out:
        return True
    transient = status is None or sdk_would_retry(status)
    return transient and attempt >= max_retries


def _discard(response: httpx2.Response) -> None:
    """Read a failed attempt's small error body, then close: the connection ends cleanly, not with a reset."""
    with contextlib.suppress(httpx2.TransportError):
        response.read()
    response.close()


async def _adiscard(response: httpx2.Response) -> None:
    """The async twin of ``_discard``."""
    with contextlib.suppress(httpx2.TransportError):
        await response.aread()
    await response.aclose()


def _redacted(request: httpx2.Request, response: httpx2.Response) -> httpx2.Response:
    """A read error response again, its body redacted of the request's secrets and the gateway's path."""
    secrets = scrub_headers(request.headers)[1] + scrub_headers(response.headers)[1] + gateway_segments(request.url.path)
    body = redact(response.content, secrets)
    headers = [(name, value) for name, value in response.headers.multi_items() if name.lower() not in UNREPLAYABLE_HEADERS]
    return httpx2.Response(response.status_code, headers=headers, content=body, request=request, extensions=response.extensions)


def _failure(status: int | None, error: Exception | None) -> str:
    return f"HTTP {status}" if status is not None else f"{type(error).__name__}: {error}"


class LiveTransport(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    """Sends each request to the real API (sync and async clients).

    With a ``recorder``, every response is teed into it. With a ``backup``, a call that fails
    before its answer starts is served from the recording, as ``should_use_backup`` decides;
    without a matching recording the student sees the live failure itself.
    """

    def __init__(
        self,
        stopwatch: Stopwatch,
        recorder: Recorder | None = None,
        backup: ReplayTransport | None = None,
        max_retries: int = 2,
        *,
        first_byte_limit: float = first_byte.DEFAULT_LIMIT_S,
        inner_sync: httpx2.BaseTransport | None = None,
        inner_async: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self.stopwatch = stopwatch
        self.recorder = recorder
        self.backup = backup
        self.max_retries = max_retries
        self.first_byte_limit = first_byte_limit
        self._inner_sync = inner_sync
        self._inner_async = inner_async
        # The SDK's own default clients: proxies from the environment (HTTPS_PROXY, NO_PROXY),
        # its connection limits and TCP keep-alive, exactly as without this course's transport.
        self._sdk_sync = anthropic.DefaultHttpxClient() if inner_sync is None else None
        self._sdk_async = anthropic.DefaultAsyncHttpxClient() if inner_async is None else None

    def _sync(self, request: httpx2.Request) -> httpx2.BaseTransport:
        if self._inner_sync is not None:
            return self._inner_sync
        assert self._sdk_sync is not None
        return self._sdk_sync._transport_for_url(request.url)  # httpx2's own proxy routing

    def _async(self, request: httpx2.Request) -> httpx2.AsyncBaseTransport:
        if self._inner_async is not None:
            return self._inner_async
        assert self._sdk_async is not None
        return self._sdk_async._transport_for_url(request.url)

    def _begin(self, request: httpx2.Request) -> tuple[float, first_byte.Timeouts, str]:
        """Start the clock and cap the wait for the first byte; returns the send time, the SDK's
        own timeouts (restored once the answer starts) and the line to show if it is slow to."""
        self.stopwatch.start()
        if self.recorder is not None:
            # Uncompressed, so the stored bytes are exactly the bytes the SDK decoded.
            request.headers["accept-encoding"] = "identity"
        body = request_json(request)
        streamed = bool(body and body.get("stream"))
        own = request.extensions.get("timeout", {})
        request.extensions["timeout"] = first_byte.until_first_byte(own, self.first_byte_limit, streamed)
        return time.perf_counter(), own, first_byte.notice(self.first_byte_limit, streamed)

    def _backup_for(self, request: httpx2.Request, status: int | None, error: Exception | None = None) -> ReplayTransport | None:
        """The replay to answer this failed attempt with (announced on stderr), or None."""
        timed_out = isinstance(error, httpx2.TimeoutException)
        if self.backup is None or not should_use_backup(status, attempt_of(request), self.max_retries, timed_out):
            return None
        body = request_json(request)
        if body is None:
            return None
        try:
            recording = self.backup.library.find(request.method, api_path(request.url.path), body)
        except NoRecordingError:
            return None
        where = recording.path.parent.name + "/" + recording.path.name if recording.path else recording.name
        if self.backup.controls is not None:
            self.backup.controls.note_from_recording(where)  # the instructor's panel marks it
        print(
            f"Live call failed before its first byte ({_failure(status, error)}); answering from the recording {where} instead.",
            file=sys.stderr,
        )
        return self.backup

    def _finish(self, request: httpx2.Request, response: httpx2.Response, sent_at: float) -> httpx2.Response:
        if self.recorder is None:
            return response
        return self.recorder.wrap(request, response, attempt_of(request), sent_at)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        sent_at, own, waiting = self._begin(request)
        try:
            with first_byte.noticed(waiting, first_byte.notice_after(self.first_byte_limit)):
                response = self._sync(request).handle_request(request)
        except httpx2.TransportError as error:
            backup = self._backup_for(request, None, error)
            if backup is None:
                raise
            return backup.handle_request(request)
        finally:
            request.extensions["timeout"] = dict(own)  # the answer has started: the SDK's own limits again
        backup = self._backup_for(request, response.status_code)
        if backup is None:
            if response.status_code >= 400:
                response.read()
                response = _redacted(request, response)  # the student's error message shows no key or id either
            return self._finish(request, response, sent_at)
        _discard(response)
        return backup.handle_request(request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        sent_at, own, waiting = self._begin(request)
        try:
            with first_byte.anoticed(waiting, first_byte.notice_after(self.first_byte_limit)):
                response = await self._async(request).handle_async_request(request)
        except httpx2.TransportError as error:
            backup = self._backup_for(request, None, error)
            if backup is None:
                raise
            return await backup.handle_async_request(request)
        finally:
            request.extensions["timeout"] = dict(own)  # the answer has started: the SDK's own limits again
        backup = self._backup_for(request, response.status_code)
        if backup is None:
            if response.status_code >= 400:
                await response.aread()
                response = _redacted(request, response)  # the student's error message shows no key or id either
            return self._finish(request, response, sent_at)
        await _adiscard(response)
        return await backup.handle_async_request(request)

    def close(self) -> None:
        for owner in (self._inner_sync, self._sdk_sync):
            if owner is not None:
                owner.close()

    async def aclose(self) -> None:
        for owner in (self._inner_async, self._sdk_async):
            if owner is not None:
                await owner.aclose()
