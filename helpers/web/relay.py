"""The relay: the model's stream in, the page's event stream out, and nothing read once the page leaves.

One async generator per request, as sse-starlette and FastAPI's ``StreamingResponse`` do it. It
reads ``text_stream`` in a task of its own, so that while the model is silent it can still send
a heartbeat, or text a redraw held back; what it sends and when is decided by pure parts (the
``blocks`` renderer and lesson 04's ``Throttle``). When the page goes away, the server closes
this generator (see ``app.EventStream``): leaving ``async with client.messages.stream(...)``
closes the upstream response, so the model's answer is read, and billed, no further.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass

import anthropic
import httpx2
from anthropic.types import MessageParam

from helpers.views.throttle import DEFAULT_BUDGET, DEFAULT_RATE, Throttle
from helpers.web.blocks import AnswerBlocks
from helpers.web.events import PING, blocks_event, describe_error, done_event, error_event

log = logging.getLogger("helpers.web")


@dataclass(frozen=True)
class RelaySettings:
    """What the server asks the model for, and how it paces what it sends to the page."""

    max_tokens: int = 1024  # the recorded web examples were made with this; replay matches it exactly
    heartbeat: float = 10.0  # seconds of silence before ": ping" (proxies often close idle streams at 30-60 s)
    rate: float | None = DEFAULT_RATE  # updates per second at most
    budget: float | None = DEFAULT_BUDGET  # tail characters re-sent, per character received


@dataclass
class Relayed:
    """What one relay did, for the server's log and for tests: how it ended and what it read upstream.

    ``upstream_closed`` is None when no response was opened (the request failed first).
    """

    ended: str = "page left"
    text_chars: int = 0
    upstream_bytes: int = 0
    upstream_closed: bool | None = None


async def relay(
    client: anthropic.AsyncAnthropic,
    model: str,
    messages: list[MessageParam],
    settings: RelaySettings,
    report: Callable[[Relayed], None],
) -> AsyncGenerator[bytes, None]:
    """The page's events for one answer; ``report`` hears how it went once it is over, however it ended."""
    outcome = Relayed()
    answer = AnswerBlocks()
    throttle = Throttle(settings.rate, settings.budget)
    upstream: httpx2.Response | None = None

    def update(heal: bool = True, caret: bool = True) -> bytes:
        start, frozen, tail, open_chars = answer.update(heal=heal, caret=caret)
        throttle.redrawn(time.monotonic(), open_chars)
        return blocks_event(start, frozen, tail)

    try:
        async with client.messages.stream(model=model, max_tokens=settings.max_tokens, messages=messages) as stream:
            upstream = stream.response
            pieces = aiter(stream.text_stream)
            arriving = asyncio.ensure_future(anext(pieces))
            try:
                while True:
                    done, _ = await asyncio.wait({arriving}, timeout=throttle.wait() if answer.behind else settings.heartbeat)
                    if not done:  # silence: draw what was held back, or keep the connection alive
                        yield update() if answer.behind else PING
                        continue
                    try:
                        answer.add(arriving.result())
                    except StopAsyncIteration:
                        break
                    arriving = asyncio.ensure_future(anext(pieces))
                    if throttle.due(time.monotonic(), answer.chars):
                        yield update()
            finally:
                arriving.cancel()
            message = await stream.get_final_message()
        if answer.behind:
            yield update(heal=False, caret=False)
        outcome.ended = "complete"
        yield done_event(message.stop_reason, {"input_tokens": message.usage.input_tokens, "output_tokens": message.usage.output_tokens})
    except Exception as err:
        kind, text = describe_error(err)
        if kind == "internal_error":
            log.exception("relay failed")
        outcome.ended = f"error: {kind}"
        if answer.behind:
            yield update(caret=False)
        yield error_event(kind, text)
    finally:
        outcome.text_chars = answer.chars
        if upstream is not None:
            outcome.upstream_bytes, outcome.upstream_closed = upstream.num_bytes_downloaded, upstream.is_closed
        report(outcome)
