"""The web app on 127.0.0.1 for tests: a replaying server in a thread, and what its recordings hold."""

from __future__ import annotations

import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from paths import FIXTURES

import helpers
from helpers.replay import recording_file
from helpers.replay.sse import parse
from helpers.web import BackgroundServer, RelaySettings, create_app, serve_in_background

T = TypeVar("T")


@contextmanager
def running_app(speed: float = 0, fault: str = "", settings: RelaySettings = RelaySettings()) -> Iterator[BackgroundServer]:  # noqa: B008
    """The app replaying the course's recordings at ``speed``, with an optional fault in every stream."""
    app = create_app(lambda: helpers.make_async_client("replay", speed=speed, fault=fault), settings)
    with serve_in_background(app) as server:
        yield server


def prompt_of(name: str) -> str:
    """The prompt a recording answers, from its spec."""
    spec = tomllib.loads((FIXTURES / "specs" / f"{name}.toml").read_text(encoding="utf-8"))
    return spec["request"]["messages"][0]["content"]


def conversation(name: str) -> dict[str, Any]:
    """The body the page sends for a recorded prompt."""
    return {"messages": [{"role": "user", "content": prompt_of(name)}]}


def answer_of(name: str) -> str:
    """The recording's whole answer, as the SDK reads it."""
    with (
        helpers.make_client("replay", speed=0) as client,
        client.messages.stream(model=helpers.MODEL, max_tokens=1024, messages=conversation(name)["messages"]) as stream,
    ):
        return stream.get_final_text()


def body_size(name: str) -> int:
    """How many bytes the recording's streamed answer is: what the server reads if it reads to the end."""
    return len(recording_file.load(FIXTURES / f"{name}.json").exchanges[-1].response.body)


def events(body: bytes) -> list[tuple[str, Any]]:
    """The named events of an event-stream body, with their JSON data (comments left out)."""
    return [(event.event or "message", event.json()) for event in parse(body).events]


def wait_for(check: Callable[[], T | None], what: str, timeout: float = 10.0) -> T:
    """Poll ``check`` until it returns something, for at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while (found := check()) is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:g} s waiting for {what}")
        time.sleep(0.02)
    return found
