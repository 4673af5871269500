"""The web app of lesson 05: one page, and ``POST /api/stream`` relaying a streamed answer to it.

``GET /``             the page (plain HTML and JavaScript, no build step)
``GET /api/info``     the mode, the status line and the prompts to offer (in replay: the recorded ones)
``POST /api/stream``  ``{"messages": [...]}`` in, ``text/event-stream`` out (see ``events`` for the events)

The client comes from ``helpers.make_async_client()``, so the app replays offline and goes live
with a key. Bad requests get a JSON error with a status (400, 404, 405, 413, 422); an unexpected
failure gets a 500 with a JSON message, and the traceback stays in the server's log.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import anthropic
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

import helpers
from helpers import config
from helpers.replay.library import RecordingLibrary
from helpers.web.examples import recorded_prompts
from helpers.web.relay import Relayed, RelaySettings, log, relay
from helpers.web.request_body import BadRequest, Limits, check_same_site, parse_conversation

PAGE = Path(__file__).parent / "page"
MAX_BODY_BYTES = 64 * 1024
# The page loads only its own script and style, and no image at all: a second line of defence
# behind the renderer, which already turns the model's HTML into text and its images into links.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'none'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
# With ``create_app(embeddable=True)``, pages served from this machine (a notebook on localhost) may
# show the app in a frame; no other site may (clickjacking: a click on Send spends the key).
LOCAL_FRAME_ANCESTORS = "'self' http://localhost:* http://127.0.0.1:* https://localhost:* https://127.0.0.1:*"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
# Stop caches and proxies (nginx: X-Accel-Buffering) from holding the stream back.
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no", "X-Content-Type-Options": "nosniff"}


class EventStream(StreamingResponse):
    """A ``text/event-stream`` response that closes its events the moment the client disconnects.

    One task relays, another waits for the client's ``http.disconnect``; whichever ends first
    ends the other. The generator is always closed (``aclosing``), so its ``finally`` and the
    SDK stream's ``async with`` run at once, whatever the ASGI server's version does.
    """

    media_type = "text/event-stream"

    def __init__(self, events: AsyncGenerator[bytes, None]) -> None:
        super().__init__(events, headers=STREAM_HEADERS)
        self._events = events

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        relaying = asyncio.ensure_future(self._relay(send))
        leaving = asyncio.ensure_future(_disconnect(receive))
        try:
            await asyncio.wait({relaying, leaving}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            leaving.cancel()
            relaying.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relaying  # raises what the relay raised, if it failed

    async def _relay(self, send: Send) -> None:
        async with contextlib.aclosing(self._events):
            await self.stream_response(send)


async def _disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def page_headers(embeddable: bool) -> dict[str, str]:
    """The page's headers: framing refused, or allowed for pages served from this machine only."""
    if not embeddable:
        return PAGE_HEADERS
    policy = PAGE_HEADERS["Content-Security-Policy"].replace("frame-ancestors 'none'", f"frame-ancestors {LOCAL_FRAME_ANCESTORS}")
    return {**PAGE_HEADERS, "Content-Security-Policy": policy}


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes (never read whole first)."""
    declared = request.headers.get("content-length", "")
    too_big = BadRequest(413, "body", f"The request body is larger than {limit:,} bytes.")
    if declared.isdigit() and int(declared) > limit:
        raise too_big
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_big
    return bytes(body)


def create_app(
    client_factory: Callable[[], anthropic.AsyncAnthropic] = helpers.make_async_client,
    settings: RelaySettings = RelaySettings(),  # noqa: B008 (frozen: one shared default is safe)
    limits: Limits = Limits(),  # noqa: B008
    embeddable: bool = False,
    allowed_hosts: Sequence[str] = LOOPBACK_HOSTS,
) -> Starlette:
    """The app; its client is made by ``client_factory`` when the server starts, and closed when it stops.

    ``app.state.relayed`` keeps how the latest relays ended (``relay.Relayed``), newest last.
    ``embeddable`` lets pages on this machine (a notebook's IFrame) frame the page; by default no page may.
    ``allowed_hosts`` are the names the browser may reach it by: loopback only unless served beyond this
    machine on purpose, so a site whose name resolves to 127.0.0.1 (DNS rebinding) is refused.
    """
    files = {name: (PAGE / name).read_bytes() for name in ("index.html", "page.js", "page.css")}
    headers = page_headers(embeddable)
    relayed: deque[Relayed] = deque(maxlen=200)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        client = client_factory()
        info = helpers.client_info(client)
        folder = config.fixtures_dir()
        recordings = RecordingLibrary.from_dir(folder).recordings if folder.is_dir() else []
        app.state.client = client
        app.state.info = {
            "mode": info.mode,
            "status": info.status_line(),
            "examples": recorded_prompts(recordings, settings.max_tokens),
            "max_chars": limits.max_chars,
        }
        log.info("%s", info.status_line())
        yield
        await client.close()

    def report(outcome: Relayed) -> None:
        relayed.append(outcome)
        log.info("relay ended (%s): %d characters, %d bytes read upstream, upstream closed: %s", *vars(outcome).values())

    def static(name: str, media_type: str) -> Callable[[Request], Any]:
        async def serve(request: Request) -> Response:
            return Response(files[name], media_type=media_type, headers=headers)

        return serve

    async def info(request: Request) -> JSONResponse:
        return JSONResponse(request.app.state.info)

    async def stream(request: Request) -> Response:
        try:
            own_origin = f"{request.url.scheme}://{request.headers.get('host', '')}"
            check_same_site(request.headers.get("content-type", ""), request.headers.get("origin"), own_origin)
            messages = parse_conversation(await read_body(request, MAX_BODY_BYTES), limits)
        except BadRequest as bad:
            return JSONResponse(bad.body(), status_code=bad.status)
        return EventStream(relay(request.app.state.client, helpers.MODEL, messages, settings, report))

    app = Starlette(
        routes=[
            Route("/", static("index.html", "text/html")),
            Route("/page.js", static("page.js", "text/javascript")),
            Route("/page.css", static("page.css", "text/css")),
            Route("/api/info", info),
            Route("/api/stream", stream, methods=["POST"]),
        ],
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))],
        exception_handlers={HTTPException: http_error, Exception: server_error},
        lifespan=lifespan,
    )
    app.state.relayed = relayed
    return app


async def http_error(request: Request, exc: Exception) -> Response:
    """404 and 405 (and any other HTTP error Starlette raises) as JSON."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    messages = {
        404: f"Nothing at {request.url.path}: the page is at / and the API at POST /api/stream.",
        405: f"{request.method} is not allowed at {request.url.path}: /api/stream takes POST.",
    }
    kind = {404: "not_found", 405: "method_not_allowed"}.get(status, "http_error")
    body = {"error": {"type": kind, "message": messages.get(status, str(getattr(exc, "detail", "")))}}
    return JSONResponse(body, status_code=status, headers=getattr(exc, "headers", None))  # a 405 keeps its Allow header


async def server_error(request: Request, exc: Exception) -> Response:
    """Anything unexpected: a 500 with a message for the reader; the traceback goes to the log only."""
    return JSONResponse({"error": {"type": "internal_error", "message": "The server failed; its log says why."}}, status_code=500)
