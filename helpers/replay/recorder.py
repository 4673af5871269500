"""Record mode: live exchanges written as recordings, timed as they arrived, with no secrets."""

from __future__ import annotations

import datetime
import hashlib
import sys
import threading
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2

from helpers.errors import RecordingError
from helpers.replay import content_encoding, recording_file
from helpers.replay.matching import api_path, gateway_segments, request_json, request_key
from helpers.replay.overwrite import Filing, filing, final_attempt
from helpers.replay.recording_file import Chunk, Exchange, RecordedRequest, RecordedResponse, Recording
from helpers.replay.scrub import redact_chunks, redact_json, scrub_headers


class RecordingBody(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    """A response body passed on unchanged while each chunk's arrival time is noted.

    When the body has been read to its end, ``on_complete`` gets the chunks. Closing it early
    reads the rest first, so the recording is whole. A body that fails midway is never reported;
    if it fails while being read after an early close, the reader is not troubled with it.
    """

    def __init__(
        self,
        inner: httpx2.SyncByteStream | httpx2.AsyncByteStream,
        sent_at: float,
        on_complete: Callable[[list[Chunk]], object],
    ) -> None:
        self._inner = inner
        self._sent_at = sent_at
        self._on_complete = on_complete
        self._chunks: list[Chunk] = []
        self._sync: Iterator[bytes] | None = None
        self._async: AsyncIterator[bytes] | None = None

    def _note(self, data: bytes) -> None:
        self._chunks.append(Chunk(time.perf_counter() - self._sent_at, data))

    # One source iterator per body, shared by the reader and the drain on close. Reading it with
    # a plain ``for`` (not ``yield from``) means a reader that stops early leaves it open to drain.
    def _timed(self) -> Iterator[bytes]:
        for data in self._inner:  # type: ignore[union-attr]
            self._note(data)
            yield data
        self._on_complete(self._chunks)

    async def _atimed(self) -> AsyncIterator[bytes]:
        async for data in self._inner:  # type: ignore[union-attr]
            self._note(data)
            yield data
        self._on_complete(self._chunks)

    def _source(self) -> Iterator[bytes]:
        if self._sync is None:
            self._sync = self._timed()
        return self._sync

    def _asource(self) -> AsyncIterator[bytes]:
        if self._async is None:
            self._async = self._atimed()
        return self._async

    def __iter__(self) -> Iterator[bytes]:
        yield from self._source()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for data in self._asource():
            yield data

    def close(self) -> None:
        try:
            for _ in self._source():
                pass
        except httpx2.TransportError as err:
            _lost_while_draining(err)
        finally:
            self._inner.close()  # type: ignore[union-attr]

    async def aclose(self) -> None:
        try:
            async for _ in self._asource():
                pass
        except httpx2.TransportError as err:
            _lost_while_draining(err)
        finally:
            await self._inner.aclose()  # type: ignore[union-attr]


def _lost_while_draining(err: httpx2.TransportError) -> None:
    """The reader had what it wanted; only the recording is lost, so say that instead of raising."""
    _warn(f"Not recorded: the connection was lost while the rest of the answer was read for the recording ({err}).")


@dataclass(frozen=True)
class _Pending:
    """An attempt whose headers have arrived, already redacted, waiting for its body."""

    request: RecordedRequest
    status: int
    headers: dict[str, str]
    headers_at: float
    secrets: list[str]
    encoding: str  # how the body came compressed: it is stored decoded

    def exchange(self, chunks: list[Chunk]) -> Exchange:
        """The finished attempt as stored; raises ``zlib.error`` for a body that is not compressed as its header says."""
        body = redact_chunks(content_encoding.decoded(chunks, self.encoding), self.secrets)
        return Exchange(self.request, RecordedResponse(self.status, self.headers, self.headers_at, body))


def _key(request: RecordedRequest) -> str:
    return request_key(request.method, request.path, request.body)


def _provenance(request: RecordedRequest) -> dict[str, Any]:
    return {
        "source": "recorded",
        "date": datetime.date.today().isoformat(),
        "model": request.body.get("model"),
        "recorded_with": "helpers record mode",
    }


def _continues(recording: Recording, attempt: int) -> bool:
    """Whether ``attempt`` is the SDK's next retry of the attempts this recording holds."""
    return len(recording.exchanges) == attempt and not 200 <= recording.exchanges[-1].response.status < 300


class Recorder:
    """Writes each live exchange into ``folder`` as a recording, one file per request.

    The request is kept as method, path and JSON body (no headers); the response as status,
    replayable headers and the chunks as they arrived, timed from the moment it was sent. The
    API key and every secret header value are redacted from all of it.

    An attempt is written only when its response body is complete. If the reader closes a
    stream early (``break`` out of the loop), the rest of the body is read first, so closing
    waits until the server has finished and the recording is always whole.

    The SDK's retries of one request go into one recording in order (a 529 then a 200 is two
    exchanges), filed after each attempt. Re-recording a request replaces the recording that
    already answers it, under its name, only as ``helpers.replay.overwrite`` allows: a failed or
    cut answer never takes a good recording's place. It goes to ``rejected/`` beside the
    recordings instead (where replay does not look), and a rejected key writes nothing at all.
    A new request gets ``recorded-<hash>.json``.
    """

    ASIDE = "rejected"

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._open: dict[str, tuple[Recording, Path]] = {}
        self._existing: dict[str, Path] | None = None  # the folder's recordings by request, read at the first answer
        self._lock = threading.Lock()

    def wrap(self, request: httpx2.Request, response: httpx2.Response, attempt: int, sent_at: float) -> httpx2.Response:
        """The same response, its body teed into this recorder; call it as its headers arrive.

        ``attempt`` is the SDK's try number (0 first); ``sent_at`` is the ``time.perf_counter()``
        value when the request was sent.
        """
        body = request_json(request)
        encoding = response.headers.get("content-encoding", "")
        if body is None:
            _warn(f"Not recorded: {request.method} {request.url.path} sends a body that is not a JSON object: a recording cannot store it.")
            return response
        if not content_encoding.can_decode(encoding):
            _warn(
                f"Not recorded: the answer to {request.method} {request.url.path} came compressed as {encoding!r}, which the "
                "recorder cannot decode. Find what compresses it (a proxy?) and record without it."
            )
            return response
        _, secrets = scrub_headers(request.headers)
        headers, response_secrets = scrub_headers(response.headers)
        secrets += response_secrets + gateway_segments(request.url.path)
        pending = _Pending(
            request=RecordedRequest(request.method, api_path(request.url.path), redact_json(body, secrets)),
            status=response.status_code,
            headers=redact_json(headers, secrets),
            headers_at=time.perf_counter() - sent_at,
            secrets=secrets,
            encoding=encoding,
        )
        stream = RecordingBody(response.stream, sent_at, lambda chunks: self._finished(pending, chunks, attempt))
        return httpx2.Response(
            response.status_code,
            headers=response.headers,
            stream=stream,
            request=request,
            extensions=response.extensions,
        )

    def _finished(self, pending: _Pending, chunks: list[Chunk], attempt: int) -> Path | None:
        try:
            exchange = pending.exchange(chunks)
        except zlib.error as err:
            _warn(f"Not recorded: the answer to {pending.request.path} is not {pending.encoding} data as its header says ({err}).")
            return None
        return self.add(exchange, attempt)

    def add(self, exchange: Exchange, attempt: int) -> Path | None:
        """File a finished attempt; where it was written, or None when nothing was.

        Attempt N extends the recording holding the N failed attempts before it (the SDK retrying);
        anything else (attempt 0, a retry after an attempt that got no response) starts anew.
        """
        key = _key(exchange.request)
        with self._lock:
            opened = self._open.get(key)
            if opened is None or not _continues(opened[0], attempt):
                opened = Recording(provenance=_provenance(exchange.request), exchanges=[]), self._path_for(key)
                self._open[key] = opened
            recording, path = opened
            recording.exchanges.append(exchange)
            return self._file(recording, path)

    def _file(self, recording: Recording, path: Path) -> Path | None:
        """Write ``recording`` where ``overwrite.filing`` says, and tell the person recording why if not in place."""
        aside = self.folder / self.ASIDE / path.name
        try:
            existing = recording_file.load(path) if path.exists() else None
            recording_file.from_dict(recording_file.to_dict(recording), path.name)  # what replay could not load, it must not replace
            decision = filing(recording, existing)
        except RecordingError as err:
            decision = Filing("beside", f"it could not be checked safely ({err})")
        if decision.action == "drop":
            _warn(f"Not recorded: {decision.why}. {path.name} is as it was.")
            return None
        if decision.action == "beside":
            recording_file.save(recording, aside)
            _warn(f"Not saved as {path.name}: {decision.why}. Kept as {aside} instead; move it over {path.name} to use it.")
            return aside
        aside.unlink(missing_ok=True)  # an earlier attempt of this recording, now answered
        if decision.why:
            _warn(f"Saved {path.name}: {decision.why}.")
        return recording_file.save(final_attempt(recording) if decision.action == "save final attempt" else recording, path)

    def _path_for(self, key: str) -> Path:
        """The recording file that already records this request, or a new name derived from it."""
        if self._existing is None:
            self._existing = self._index()
        found = self._existing.get(key)
        if found is not None:
            return found
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
        return self.folder / f"recorded-{digest}.json"

    def _index(self) -> dict[str, Path]:
        """Which file records which request, read once per recorder (the files it writes are in ``_open``).

        A file that cannot be read is named and passed over: the answer just paid for is saved anyway.
        """
        index: dict[str, Path] = {}
        for candidate in sorted(self.folder.glob("*.json")):
            try:
                existing = recording_file.load(candidate)
            except RecordingError as err:
                _warn(f"Passed over a recording that cannot be read ({err}); run `python -m helpers check`.")
                continue
            if not existing.by_name_only:
                index.setdefault(_key(existing.request), candidate)
        return index


def _warn(message: str) -> None:
    print(message, file=sys.stderr)
