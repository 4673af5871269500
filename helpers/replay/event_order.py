"""The order of a Messages stream as a small grammar, and a validator for it.

    stream  := ping* message_start (ping | block)* message_delta+ message_stop   | ... error
    block   := content_block_start(i) content_block_delta(i)* content_block_stop(i)

Block indices start at 0 and rise by one; blocks never overlap; an ``error`` event may end the
stream at any point. Each delta must fit its block's type (``DELTAS_FOR_BLOCK``); blocks that
arrive whole, such as a server-side fallback's ``fallback`` block, take no delta at all. A block
type not listed is let through, as the SDK lets it through. The SDK relies on all of this without checking it (it appends blocks on
start and finds them by index), so a broken order corrupts a message silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from helpers.replay import sse

DELTAS_FOR_BLOCK = {
    "text": {"text_delta", "citations_delta"},
    "tool_use": {"input_json_delta"},
    "server_tool_use": {"input_json_delta"},
    "mcp_tool_use": {"input_json_delta"},
    "thinking": {"thinking_delta", "signature_delta"},
    "compaction": {"compaction_delta"},
    # complete in their content_block_start: a start and a stop, nothing between
    "fallback": set(),
    "redacted_thinking": set(),
    "web_search_tool_result": set(),
    "web_fetch_tool_result": set(),
}


def _table(data: Any, key: str) -> dict[str, Any]:
    """``data[key]`` when it is a JSON object, else ``{}``: a malformed field is reported, not a crash."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


@dataclass
class OrderReport:
    """What a stream's events amount to: problems (empty when legal) and how it ended."""

    problems: list[str] = field(default_factory=list)
    ended: str = "truncated"  # "message_stop", "error" or "truncated"
    stop_reason: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.ended != "truncated"


class _Grammar:
    def __init__(self) -> None:
        self.report = OrderReport()
        self.started = False
        self.blocks: list[str] = []
        self.open: int | None = None
        self.open_deltas: list[str] = []  # the delta types of the open block, in order
        self.deltas = 0
        self.done = False

    def _open_block(self) -> str:
        return "no block is open" if self.open is None else f"the open block is {self.open}"

    def fail(self, n: int, name: str, message: str) -> None:
        self.report.problems.append(f"event {n} ({name}): {message}")

    def feed(self, n: int, name: str | None, data: Any) -> None:
        kind = data.get("type") if isinstance(data, dict) else None
        label = name or "<no event line>"
        if name is None:
            return self.fail(n, label, "has no `event:` line, so the SDK ignores it")
        if kind != name:
            return self.fail(n, label, f"the event name differs from data.type {kind!r}")
        if self.done:
            return self.fail(n, label, f"comes after the stream ended with {self.report.ended}")
        if name == "ping":
            return None
        if name == "error":
            self.report.ended, self.done = "error", True
            return None
        if name == "message_start":
            return self._message_start(n, data)
        if not self.started:
            return self.fail(n, label, "comes before message_start")
        handler = getattr(self, f"_{name}", None)
        if handler is not None:
            handler(n, data)
        return None

    def _message_start(self, n: int, data: dict[str, Any]) -> None:
        if self.started:
            return self.fail(n, "message_start", "a second message_start")
        self.started = True
        message = _table(data, "message")
        if message.get("content") != []:
            self.fail(n, "message_start", "message.content must start empty")
        if not isinstance(message.get("usage"), dict):
            self.fail(n, "message_start", "message.usage is missing (the SDK's stream helper needs it)")

    def _content_block_start(self, n: int, data: dict[str, Any]) -> None:
        if self.open is not None:
            self.fail(n, "content_block_start", f"block {self.open} is still open")
        if self.deltas:
            self.fail(n, "content_block_start", "comes after message_delta")
        index = data.get("index")
        if index != len(self.blocks):
            self.fail(n, "content_block_start", f"index {index}, expected {len(self.blocks)} (indices rise by one from 0)")
        self.blocks.append(str(_table(data, "content_block").get("type")))
        self.open = index
        self.open_deltas = []

    def _content_block_delta(self, n: int, data: dict[str, Any]) -> None:
        index = data.get("index")
        if index != self.open:
            return self.fail(n, "content_block_delta", f"index {index}, but {self._open_block()}")
        delta_type = _table(data, "delta").get("type")
        kind = self.blocks[-1]  # the open block is always the latest started
        self.open_deltas.append(str(delta_type))
        allowed = DELTAS_FOR_BLOCK.get(kind)
        if allowed == set():
            self.fail(n, "content_block_delta", f"{delta_type} in a {kind} block, which arrives whole and takes no delta")
        elif allowed is not None and delta_type not in allowed:
            self.fail(n, "content_block_delta", f"{delta_type} in a {kind} block")
        return None

    def _content_block_stop(self, n: int, data: dict[str, Any]) -> None:
        if data.get("index") != self.open:
            return self.fail(n, "content_block_stop", f"index {data.get('index')}, but {self._open_block()}")
        self.open = None
        if self.blocks[-1] == "thinking":
            self._check_signature(n)
        return None

    def _check_signature(self, n: int) -> None:
        signatures = self.open_deltas.count("signature_delta")
        if signatures != 1:
            self.fail(n, "content_block_stop", f"a thinking block ends with exactly one signature_delta; this one had {signatures}")
        elif self.open_deltas[-1] != "signature_delta":
            self.fail(n, "content_block_stop", "a thinking block's signature_delta must be its last delta")

    def _message_delta(self, n: int, data: dict[str, Any]) -> None:
        if self.open is not None:
            self.fail(n, "message_delta", f"block {self.open} was never stopped")
        if "output_tokens" not in _table(data, "usage"):
            self.fail(n, "message_delta", "usage.output_tokens is missing")
        self.deltas += 1
        self.report.stop_reason = _table(data, "delta").get("stop_reason")

    def _message_stop(self, n: int, data: dict[str, Any]) -> None:
        if not self.deltas:
            self.fail(n, "message_stop", "no message_delta came before it (no stop_reason, no final usage)")
        self.report.ended, self.done = "message_stop", True


def validate(events: Iterable[tuple[str | None, Any]]) -> OrderReport:
    """Check ``(event name, decoded data)`` pairs against the grammar."""
    grammar = _Grammar()
    for n, (name, data) in enumerate(events):
        grammar.feed(n, name, data)
    report = grammar.report
    if not grammar.started and report.ended != "error":
        report.problems.append("there is no message_start: the SDK's get_final_message() fails")
    elif report.ended == "truncated":
        report.problems.append("the stream ends before message_stop: the SDK raises nothing and returns a partial message")
    return report


def validate_body(body: bytes) -> OrderReport:
    """Check raw SSE bytes: framing (JSON data, a blank line after the last event) and order."""
    parsed = sse.parse(body)
    pairs: list[tuple[str | None, Any]] = []
    bad_json: list[str] = []
    for n, event in enumerate(parsed.events):
        try:
            pairs.append((event.event, event.json()))
        except ValueError:
            bad_json.append(f"event {n} ({event.event}): data is not valid JSON, the SDK raises JSONDecodeError")
            pairs.append((event.event, None))
    report = validate(pairs)
    report.problems[:0] = bad_json
    if parsed.undispatched:
        report.problems.append("the body ends without a blank line after its last event: the SDK silently drops that event")
    return report


_BLOCK_EVENTS = frozenset({"content_block_delta", "content_block_stop"})


def sdk_breakers(body: bytes) -> list[str]:
    """What in a stream makes the SDK fail inside its own code, rather than return a message or raise an API error.

    Less than ``validate_body`` asks: real captures cut short or without a final blank line are
    fine to serve. These are not (checked on anthropic 2.14.0): bytes that are not UTF-8, data
    that is not JSON, no ``message_start`` at all, and a block event whose index names no block
    started since it. (Events before ``message_start`` are passed through, not accumulated.)
    """
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as err:
        return [f"byte {err.start} is not UTF-8: the SDK raises UnicodeDecodeError"]
    started, blocks = False, 0
    for n, event in enumerate(sse.parse(body).events):
        if event.event in (None, "ping") or not event.data:
            continue  # the SDK skips these
        if event.event == "error":
            return []  # the SDK raises the API's error here, as it should
        try:
            data = event.json()
        except ValueError:
            return [f"event {n} ({event.event}): data is not valid JSON, the SDK raises JSONDecodeError"]
        if event.event == "message_start":
            started, blocks = True, 0
        elif started and event.event == "content_block_start":
            blocks += 1
        elif started and event.event in _BLOCK_EVENTS and not (isinstance(data, dict) and data.get("index") in range(blocks)):
            index = data.get("index") if isinstance(data, dict) else None
            return [f"event {n} ({event.event}): index {index!r} names no block started so far: the SDK raises IndexError"]
    if not started:
        return ["there is no message_start: the SDK's get_final_message() raises AssertionError"]
    return []
