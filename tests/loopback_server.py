"""A small Anthropic-like Messages API on 127.0.0.1 for tests: real sockets, real SSE, scripted failures.

It answers ``POST /v1/messages`` with a complete message stream (several flushed chunks, one
split inside a multibyte character) or a JSON message, sends the secret-bearing headers a real
API sends, and remembers every request it saw.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import zlib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_KEY = "sk-ant-test-SENTINEL-0123456789"
COOKIE_SENTINEL = "COOKIE-SENTINEL-4f1c9a2b"
ORG_SENTINEL = "ORG-SENTINEL-7d2e51c0"
TEXT_PARTS = ("Hello", ", wörld", "! ☕ done")
CHUNK_PAUSE = 0.004

ERROR_TYPES = {401: "authentication_error", 529: "overloaded_error", 500: "api_error"}


@dataclass(frozen=True)
class SeenRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def _event(data: dict[str, Any]) -> bytes:
    """One SSE event named, as the API names them, after its ``type``."""
    return f"event: {data['type']}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def message_json(model: str) -> dict[str, Any]:
    """The complete message the stream builds, as a non-streaming call returns it."""
    return {
        "id": "msg_01LoopbackTest",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": "".join(TEXT_PARTS)}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 12, "output_tokens": 7},
    }


def stream_events(model: str) -> list[bytes]:
    """A complete, valid message stream, one SSE event per item."""
    usage = {"input_tokens": 12, "output_tokens": 1}
    start = {**message_json(model), "content": [], "stop_reason": None, "usage": usage}
    deltas = [{"type": "text_delta", "text": part} for part in TEXT_PARTS]
    end = {"stop_reason": "end_turn", "stop_sequence": None}
    return [
        _event({"type": "message_start", "message": start}),
        _event({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        _event({"type": "ping"}),
        *(_event({"type": "content_block_delta", "index": 0, "delta": delta}) for delta in deltas),
        _event({"type": "content_block_stop", "index": 0}),
        _event({"type": "message_delta", "delta": end, "usage": {"output_tokens": 7}}),
        _event({"type": "message_stop"}),
    ]


def stream_pieces(model: str) -> list[bytes]:
    """The stream as sent: one piece per event, and the event with "ö" cut inside that character."""
    pieces = []
    for event in stream_events(model):
        cut = event.find("ö".encode())
        pieces += [event[: cut + 1], event[cut + 1 :]] if cut != -1 else [event]
    return pieces


def newer_stream_pieces(model: str) -> list[bytes]:
    """The same stream as a newer API might send it: one event type and one usage field more."""
    pieces = stream_pieces(model)
    end = next(n for n, piece in enumerate(pieces) if piece.startswith(b"event: message_delta"))
    counted = {"stop_reason": "end_turn", "stop_sequence": None}
    pieces[end] = _event({"type": "message_delta", "delta": counted, "usage": {"output_tokens": 7, "reasoning_tokens": 0}})
    pieces.insert(end, _event({"type": "content_block_annotation", "index": 0, "note": "new"}))
    return pieces


def stream_body(model: str) -> bytes:
    return b"".join(stream_pieces(model))


class _Server(ThreadingHTTPServer):
    """Keeps the errors its handlers raise (a client that reset its connection, say) instead of printing them.

    Closing it waits for every handler, so ``errors`` is complete once ``stop()`` returns.
    """

    daemon_threads = False

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.errors: list[BaseException] = []

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if error is not None:
            self.errors.append(error)


class LoopbackServer:
    """The server and its script; ``fail_next(529, 529)`` makes the next two requests fail."""

    def __init__(self) -> None:
        self.seen: list[SeenRequest] = []
        self.cut_stream_after: int | None = None
        self.echo_key_in_errors = False  # an error body that repeats the key it was sent, as some gateways do
        self.answer_after = 0.0  # seconds of silence before the response starts: a slow or hung API
        self.body_after = 0.0  # seconds of silence between a stream's headers and its first event
        self.gzip_streams = False  # compress streams whatever the client accepts, as some proxies do
        self.newer_api = False  # streams an event type and a usage field no recording has: an API that moved on
        self._statuses: list[int] = []
        self._lock = threading.Lock()
        self._httpd = _Server(_handler_for(self))
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    @property
    def errors(self) -> list[BaseException]:
        """What went wrong while serving: a connection the client reset shows up here."""
        return self._httpd.errors

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, *statuses: int) -> None:
        self._statuses.extend(statuses)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def _take(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> int:
        with self._lock:
            self.seen.append(SeenRequest(path, headers, body))
            return self._statuses.pop(0) if self._statuses else 200


def _handler_for(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 10  # an idle keep-alive connection cannot hold up stop() for longer

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _headers(self, status: int, content_type: str, extra: dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("request-id", f"req_loopback{len(server.seen):03d}")
            self.send_header("set-cookie", f"session={COOKIE_SENTINEL}; Path=/; HttpOnly")
            self.send_header("anthropic-organization-id", ORG_SENTINEL)
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()

        def _json(self, status: int, payload: dict[str, Any], extra: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode("utf-8")
            self._headers(status, "application/json", {"content-length": str(len(data)), **(extra or {})})
            self.wfile.write(data)

        def _stream(self, model: str) -> None:
            compressing = {"content-encoding": "gzip"} if server.gzip_streams else {}
            gzip = zlib.compressobj(wbits=31)
            self._headers(200, "text/event-stream; charset=utf-8", {"transfer-encoding": "chunked", **compressing})
            self.wfile.flush()
            time.sleep(server.body_after)
            for n, piece in enumerate(newer_stream_pieces(model) if server.newer_api else stream_pieces(model)):
                if server.cut_stream_after is not None and n >= server.cut_stream_after:
                    self.close_connection = True
                    return
                time.sleep(CHUNK_PAUSE)
                self._chunk(gzip.compress(piece) + gzip.flush(zlib.Z_SYNC_FLUSH) if compressing else piece)
            if compressing:
                self._chunk(gzip.flush())
            self.wfile.write(b"0\r\n\r\n")

        def _chunk(self, data: bytes) -> None:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        def do_GET(self) -> None:
            """``GET /v1/models``: the cheapest call that tells whether a key works."""
            status = server._take(self.path, {k.lower(): v for k, v in self.headers.items()}, {})
            if status != 200:
                error = {"type": ERROR_TYPES.get(status, "api_error"), "message": f"loopback {status}"}
                self._json(status, {"type": "error", "error": error})
                return
            model = {"type": "model", "id": "claude-loopback", "display_name": "Loopback", "created_at": "2026-01-01T00:00:00Z"}
            self._json(200, {"data": [model], "has_more": False, "first_id": "claude-loopback", "last_id": "claude-loopback"})

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length", "0")))
            body = json.loads(raw or b"{}")
            status = server._take(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            time.sleep(server.answer_after)
            if not self.path.endswith("/v1/messages"):  # a gateway's prefix before it is passed through
                self._json(404, {"type": "error", "error": {"type": "not_found_error", "message": self.path}})
            elif status != 200:
                key = self.headers.get("x-api-key") or self.headers.get("authorization", "").split(" ")[-1]
                echoed = f" for key {key}" if server.echo_key_in_errors else ""
                error = {"type": ERROR_TYPES.get(status, "api_error"), "message": f"loopback {status}{echoed}"}
                self._json(status, {"type": "error", "error": error}, {"retry-after-ms": "1"})
            elif body.get("stream"):
                self._stream(body["model"])
            else:
                self._json(200, message_json(body["model"]))

    return Handler
