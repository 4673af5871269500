"""Reference solutions for lesson 05 (a streaming web app). Try the exercises first."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import anthropic

import helpers

MAX_TOKENS = 1024  # what the recorded web examples were made with: replay answers exactly that request


def sse(name: str, data: dict[str, Any]) -> bytes:
    """One server-sent event: its name, one line of JSON data, and the blank line that ends it."""
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


# Exercise 1: the relay's event generator ---------------------------------------------------------


async def relay_events(client: anthropic.AsyncAnthropic, messages: list[Any]) -> AsyncIterator[bytes]:
    """The page's events for one answer: a text event per piece, then done (or error)."""
    try:
        async with client.messages.stream(model=helpers.MODEL, max_tokens=MAX_TOKENS, messages=messages) as stream:
            async for text in stream.text_stream:
                yield sse("text", {"text": text})
            message = await stream.get_final_message()
        usage = {"input_tokens": message.usage.input_tokens, "output_tokens": message.usage.output_tokens}
        yield sse("done", {"stop_reason": message.stop_reason, "usage": usage})
    except anthropic.APIStatusError as err:  # an error event mid-stream, or an HTTP error before it
        yield sse("error", {"type": err.type or f"http_{err.status_code}", "message": err.api_message or err.message})
    except anthropic.APIConnectionError:
        yield sse("error", {"type": "connection_error", "message": "The connection to the model was lost."})


# Exercise 2: the page's side, an SSE parser --------------------------------------------------------


def parse_sse(pending: bytes, chunk: bytes) -> tuple[list[tuple[str, str]], bytes]:
    """The events completed by ``chunk`` as ``(name, data)``, and the bytes of the event still arriving."""
    buffer = (pending + chunk).replace(b"\r\n", b"\n")  # a "\r" left at the end waits for its "\n"
    *finished, rest = buffer.split(b"\n\n")
    events = []
    for block in finished:
        name, data = "message", []
        for line in block.decode("utf-8").split("\n"):
            if line.startswith(":"):  # a comment: a heartbeat
                continue
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
        if data:  # an event without data is not dispatched
            events.append((name, "\n".join(data)))
    return events, rest
